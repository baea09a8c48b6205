"""createCandidate and updateCandidate: inputs, error codes, payloads."""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Annotated, Any

import strawberry

from crowdhire.context import Info
from crowdhire.resolvers import candidates as candidate_resolvers
from crowdhire.resolvers.transactions import Outcome
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    shown_after,
    user_errors,
)


@strawberry.enum(description="Why createCandidate changed nothing.")
class CreateCandidateErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    DUPLICATE_CANDIDATE = "DUPLICATE_CANDIDATE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why updateCandidate changed nothing.")
class UpdateCandidateErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    DUPLICATE_CANDIDATE = "DUPLICATE_CANDIDATE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="CreateCandidateError", description="A user error of createCandidate.")
class CreateCandidateError(UserError[CreateCandidateErrorCode]):
    pass


@strawberry.type(name="UpdateCandidateError", description="A user error of updateCandidate.")
class UpdateCandidateError(UserError[UpdateCandidateErrorCode]):
    pass


@strawberry.input(description="A yearly amount in minor units and its currency.")
class MoneyInput:
    """Money as input: integer minor units, never floats."""

    amount: int = strawberry.field(description="Minor units (cents), ≥ 0.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")


def _plain_money(value: Any) -> Any:
    if isinstance(value, MoneyInput):
        return {"amount": value.amount, "currency": value.currency}
    return value


@strawberry.input(description="A person you sourced.")
class CreateCandidateInput:
    full_name: str = strawberry.field(description="Full name (1 to 200 chars).")
    headline: str = strawberry.field(default="", description="One-line summary (up to 200).")
    email: str | None = strawberry.field(default=None, description="Contact email.")
    phone: str | None = strawberry.field(
        default=None, description="International phone number: + and the country code."
    )
    location: str = strawberry.field(default="", description="City or region (up to 200).")
    skills: list[str] = strawberry.field(
        default_factory=list, description="Skills (up to 50; stored lower-case)."
    )
    years_experience: int = strawberry.field(default=0, description="Years of experience, 0-80.")
    links: list[str] = strawberry.field(
        default_factory=list, description="Profile links: http(s) URLs, up to 10."
    )
    summary: str = strawberry.field(default="", description="Profile summary (≤ 5,000 chars).")
    desired_salary: MoneyInput | None = strawberry.field(
        default=None, description="Yearly salary the person asks for."
    )
    open_to_remote: bool = strawberry.field(default=False, description="Willing to work remotely.")
    languages: list[str] = strawberry.field(
        default_factory=list, description="Languages spoken (≤ 20; stored lower-case)."
    )
    client_mutation_id: str | None = ClientMutationId

    def fields(self) -> dict[str, Any]:
        """Every profile field, by its resolver name."""
        return {name: _plain_money(getattr(self, name)) for name in candidate_resolvers.FIELD_PATHS}


@strawberry.input(description="The candidate fields to change; omitted fields stay as they are.")
class UpdateCandidateInput:
    candidate_id: strawberry.ID = strawberry.field(description="The candidate.")
    full_name: str | None = strawberry.field(default=strawberry.UNSET, description="Full name.")
    headline: str | None = strawberry.field(
        default=strawberry.UNSET, description="One-line summary."
    )
    email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Contact email (null clears it)."
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="International phone number (null clears it)."
    )
    location: str | None = strawberry.field(default=strawberry.UNSET, description="City or region.")
    skills: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Skills (replaces the list)."
    )
    years_experience: int | None = strawberry.field(
        default=strawberry.UNSET, description="Years of experience."
    )
    links: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Profile links (replaces the list)."
    )
    summary: str | None = strawberry.field(
        default=strawberry.UNSET, description="Profile summary (≤ 5,000 chars)."
    )
    desired_salary: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET, description="Desired yearly salary (null clears it)."
    )
    open_to_remote: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Willing to work remotely."
    )
    languages: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Languages spoken (replaces the list)."
    )
    client_mutation_id: str | None = ClientMutationId

    def fields(self) -> dict[str, Any]:
        """The fields the caller gave (null included)."""
        given = {
            name: _plain_money(getattr(self, name)) for name in candidate_resolvers.FIELD_PATHS
        }
        return {name: value for name, value in given.items() if value is not strawberry.UNSET}


@strawberry.type(description="The candidate after createCandidate, or why not.")
class CreateCandidatePayload:
    candidate: CandidateType | None = strawberry.field(description="The candidate.")
    user_errors: list[CreateCandidateError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The candidate after updateCandidate, or why not.")
class UpdateCandidatePayload:
    candidate: CandidateType | None = strawberry.field(description="The candidate.")
    user_errors: list[UpdateCandidateError] = strawberry.field(description="Input problems.")


async def payload_candidate(info: Info, outcome: Outcome) -> CandidateType | None:
    """The outcome's candidate, re-read through the visibility-checked lookup."""
    load = partial(candidate_resolvers.candidate_by_id, info.context)
    return await shown_after(outcome, "candidate", load, CandidateType.from_model)


@strawberry.type(description="Candidate mutations.")
class CandidateMutations:
    """Recruiters add and edit the people they source."""

    @strawberry.mutation(
        description="Add a candidate (recruiters); someone already held by another recruiter"
        " is refused with DUPLICATE_CANDIDATE, someone you already hold is returned."
    )
    async def create_candidate(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CreateCandidateInput, strawberry.argument(description="The person's profile.")
        ],
    ) -> CreateCandidatePayload:
        """Validates, normalizes and de-duplicates across the crowd."""
        outcome = await guarded(
            lambda: candidate_resolvers.create_candidate(
                info.context, input.fields(), input.client_mutation_id
            )
        )
        return CreateCandidatePayload(
            candidate=await payload_candidate(info, outcome),
            user_errors=user_errors(outcome, CreateCandidateErrorCode, CreateCandidateError),
        )

    @strawberry.mutation(description="Change a candidate (its recruiter or an admin).")
    async def update_candidate(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            UpdateCandidateInput, strawberry.argument(description="Which candidate, what changes.")
        ],
    ) -> UpdateCandidatePayload:
        """Same validation and duplicate rules as createCandidate."""
        outcome = await guarded(
            lambda: candidate_resolvers.update_candidate(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.fields(),
                input.client_mutation_id,
            )
        )
        return UpdateCandidatePayload(
            candidate=await payload_candidate(info, outcome),
            user_errors=user_errors(outcome, UpdateCandidateErrorCode, UpdateCandidateError),
        )
