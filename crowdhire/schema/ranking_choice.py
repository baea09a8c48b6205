"""setCandidateAutomatedRanking: input, error codes, payload."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.candidates import AutomatedRanking
from crowdhire.resolvers import ranking_choice as rules
from crowdhire.schema.candidate_mutations import payload_candidate
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    user_errors,
)


@strawberry.enum(description="Why setCandidateAutomatedRanking changed nothing.")
class SetCandidateAutomatedRankingErrorCode(Enum):
    """Codes of setCandidateAutomatedRanking's user errors."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(
    name="SetCandidateAutomatedRankingError",
    description="A user error of setCandidateAutomatedRanking.",
)
class SetCandidateAutomatedRankingError(UserError[SetCandidateAutomatedRankingErrorCode]):
    """Field path, code and message."""


@strawberry.input(description="The person's choice about automated ranking.")
class SetCandidateAutomatedRankingInput:
    """setCandidateAutomatedRanking's input."""

    candidate_id: strawberry.ID = strawberry.field(description="The candidate.")
    automated_ranking: AutomatedRanking = strawberry.field(
        description="OPTED_OUT: never embedded or ranked, the vector is deleted; ALLOWED: back in."
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The candidate after setCandidateAutomatedRanking, or why not.")
class SetCandidateAutomatedRankingPayload:
    """setCandidateAutomatedRanking's result."""

    candidate: CandidateType | None = strawberry.field(description="The candidate.")
    user_errors: list[SetCandidateAutomatedRankingError] = strawberry.field(
        description="Input problems."
    )


@strawberry.type(description="Automated ranking choices.")
class RankingChoiceMutations:
    """The recruiter records a person's opt-out of (or back into) automated ranking."""

    @strawberry.mutation(
        description="Record a person's choice about automated ranking (their recruiter or an"
        " admin); opting out deletes their vector and removes them from every ranking."
    )
    async def set_candidate_automated_ranking(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            SetCandidateAutomatedRankingInput,
            strawberry.argument(description="Which candidate and their choice."),
        ],
    ) -> SetCandidateAutomatedRankingPayload:
        """Idempotent: recording the current choice again changes nothing."""
        outcome = await guarded(
            lambda: rules.set_automated_ranking(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.automated_ranking,
                input.client_mutation_id,
            )
        )
        return SetCandidateAutomatedRankingPayload(
            candidate=await payload_candidate(info, outcome),
            user_errors=user_errors(
                outcome, SetCandidateAutomatedRankingErrorCode, SetCandidateAutomatedRankingError
            ),
        )
