"""Privacy mutations: export a person's data, erase it, and the legal hold that blocks erasure."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from crowdhire.context import Info
from crowdhire.resolvers import privacy as privacy_resolvers
from crowdhire.schema.candidate_mutations import payload_candidate
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    user_errors,
)


@strawberry.enum(description="Why exportCandidateData returned nothing.")
class ExportCandidateDataErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why eraseCandidate changed nothing.")
class EraseCandidateErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    LEGAL_HOLD = "LEGAL_HOLD"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why setCandidateLegalHold changed nothing.")
class SetCandidateLegalHoldErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="ExportCandidateDataError", description="A user error of the export.")
class ExportCandidateDataError(UserError[ExportCandidateDataErrorCode]):
    pass


@strawberry.type(name="EraseCandidateError", description="A user error of eraseCandidate.")
class EraseCandidateError(UserError[EraseCandidateErrorCode]):
    pass


@strawberry.type(
    name="SetCandidateLegalHoldError", description="A user error of setCandidateLegalHold."
)
class SetCandidateLegalHoldError(UserError[SetCandidateLegalHoldErrorCode]):
    pass


@strawberry.input(description="Whose data to export.")
class ExportCandidateDataInput:
    candidate_id: strawberry.ID = strawberry.field(description="The candidate.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Whom to erase (the person erases through their emailed link).")
class EraseCandidateInput:
    candidate_id: strawberry.ID = strawberry.field(
        description="The candidate (their recruiter or admins)."
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Put a candidate under a legal hold, or release them.")
class SetCandidateLegalHoldInput:
    candidate_id: strawberry.ID = strawberry.field(description="The candidate.")
    legal_hold: bool = strawberry.field(description="True blocks erasure; false releases it.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="Everything stored about the person, or why not.")
class ExportCandidateDataPayload:
    data: JSON | None = strawberry.field(
        description="candidate (profile and consent), consentLog, submissions (pitch and"
        " history), placements, documents (files with download URLs for you) and auditEvents"
        " (id, action, at); stored field names."
    )
    user_errors: list[ExportCandidateDataError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The result of eraseCandidate.")
class EraseCandidatePayload:
    erased: bool = strawberry.field(description="True when the person's data was erased.")
    user_errors: list[EraseCandidateError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The candidate after setCandidateLegalHold, or why not.")
class SetCandidateLegalHoldPayload:
    candidate: CandidateType | None = strawberry.field(description="The candidate.")
    user_errors: list[SetCandidateLegalHoldError] = strawberry.field(description="Input problems.")


@strawberry.type(description="Privacy mutations.")
class PrivacyMutations:
    """Export, erasure and legal holds."""

    @strawberry.mutation(description="Every stored personal field about a candidate, as JSON.")
    async def export_candidate_data(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            ExportCandidateDataInput, strawberry.argument(description="Which candidate.")
        ],
    ) -> ExportCandidateDataPayload:
        """The candidate's recruiter or admins; the export is audited."""
        outcome = await guarded(
            lambda: privacy_resolvers.export_candidate(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.client_mutation_id,
            )
        )
        candidate_id = outcome.object_id("candidate")
        data = (
            await privacy_resolvers.candidate_export(info.context, candidate_id)
            if candidate_id
            else None
        )
        return ExportCandidateDataPayload(
            data=JSON(data) if data is not None else None,
            user_errors=user_errors(
                outcome, ExportCandidateDataErrorCode, ExportCandidateDataError
            ),
        )

    @strawberry.mutation(description="Irreversibly anonymize a candidate everywhere.")
    async def erase_candidate(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            EraseCandidateInput, strawberry.argument(description="Token or candidate.")
        ],
    ) -> EraseCandidatePayload:
        """Their recruiter or an admin (the person uses their link); LEGAL_HOLD blocks it."""
        outcome = await guarded(
            lambda: privacy_resolvers.erase_candidate(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                None,
                input.client_mutation_id,
            )
        )
        return EraseCandidatePayload(
            erased=not outcome.errors,
            user_errors=user_errors(outcome, EraseCandidateErrorCode, EraseCandidateError),
        )

    @strawberry.mutation(description="Set or release a candidate's legal hold (admins).")
    async def set_candidate_legal_hold(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            SetCandidateLegalHoldInput, strawberry.argument(description="Candidate and flag.")
        ],
    ) -> SetCandidateLegalHoldPayload:
        """Admins only."""
        outcome = await guarded(
            lambda: privacy_resolvers.set_legal_hold(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.legal_hold,
                input.client_mutation_id,
            )
        )
        return SetCandidateLegalHoldPayload(
            candidate=await payload_candidate(info, outcome),
            user_errors=user_errors(
                outcome, SetCandidateLegalHoldErrorCode, SetCandidateLegalHoldError
            ),
        )
