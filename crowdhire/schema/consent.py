"""Consent mutations: ask the person by email, ask again, and (admins) withdraw consent."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.resolvers import consent as consent_resolvers
from crowdhire.resolvers import consent_requests
from crowdhire.resolvers.transactions import Outcome
from crowdhire.schema.candidate_mutations import payload_candidate
from crowdhire.schema.candidates import CandidateType, ConsentType
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    shown_after,
    user_errors,
)


@strawberry.enum(description="Why requestCandidateConsent changed nothing.")
class RequestCandidateConsentErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_GRANTED = "ALREADY_GRANTED"
    NO_EMAIL = "NO_EMAIL"
    RATE_LIMITED = "RATE_LIMITED"
    EMAIL_UNAVAILABLE = "EMAIL_UNAVAILABLE"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why resendCandidateConsent changed nothing.")
class ResendCandidateConsentErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    NO_OPEN_REQUEST = "NO_OPEN_REQUEST"
    NO_EMAIL = "NO_EMAIL"
    RATE_LIMITED = "RATE_LIMITED"
    EMAIL_UNAVAILABLE = "EMAIL_UNAVAILABLE"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why revokeCandidateConsent changed nothing.")
class RevokeCandidateConsentErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    NOT_GRANTED = "NOT_GRANTED"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(
    name="RequestCandidateConsentError", description="A user error of requestCandidateConsent."
)
class RequestCandidateConsentError(UserError[RequestCandidateConsentErrorCode]):
    pass


@strawberry.type(
    name="ResendCandidateConsentError", description="A user error of resendCandidateConsent."
)
class ResendCandidateConsentError(UserError[ResendCandidateConsentErrorCode]):
    pass


@strawberry.type(
    name="RevokeCandidateConsentError", description="A user error of revokeCandidateConsent."
)
class RevokeCandidateConsentError(UserError[RevokeCandidateConsentErrorCode]):
    pass


@strawberry.input(description="Whose consent to ask for.")
class RequestCandidateConsentInput:
    candidate_id: strawberry.ID = strawberry.field(description="Your candidate.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Whose open consent request to email again.")
class ResendCandidateConsentInput:
    candidate_id: strawberry.ID = strawberry.field(description="Your candidate.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Withdraw a candidate's consent (admins; the person uses a link).")
class RevokeCandidateConsentInput:
    candidate_id: strawberry.ID = strawberry.field(description="The candidate.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The candidate once the request is on its way, or why not.")
class RequestCandidateConsentPayload:
    candidate: CandidateType | None = strawberry.field(
        description="The candidate: consent { status requestedAt lastSentAt } shows progress."
    )
    user_errors: list[RequestCandidateConsentError] = strawberry.field(
        description="Input problems."
    )


@strawberry.type(description="The candidate once the email is queued again, or why not.")
class ResendCandidateConsentPayload:
    candidate: CandidateType | None = strawberry.field(description="The candidate.")
    user_errors: list[ResendCandidateConsentError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The consent after revoking, or why not.")
class RevokeCandidateConsentPayload:
    consent: ConsentType | None = strawberry.field(description="The consent now on record.")
    user_errors: list[RevokeCandidateConsentError] = strawberry.field(description="Input problems.")


async def _consent(outcome: Outcome) -> ConsentType | None:
    return await shown_after(
        outcome, "candidate", consent_resolvers.candidate_consent, ConsentType.from_model
    )


@strawberry.type(description="Consent mutations.")
class ConsentMutations:
    """Ask the person by email, ask again, withdraw (admins)."""

    @strawberry.mutation(
        description="Email your candidate a consent link (14 days); older links stop working."
    )
    async def request_candidate_consent(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RequestCandidateConsentInput, strawberry.argument(description="Which candidate.")
        ],
    ) -> RequestCandidateConsentPayload:
        """The candidate's recruiter only; the platform sends the link to the person."""
        outcome = await guarded(
            lambda: consent_requests.request_consent(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.client_mutation_id,
            )
        )
        return RequestCandidateConsentPayload(
            candidate=await payload_candidate(info, outcome),
            user_errors=user_errors(
                outcome, RequestCandidateConsentErrorCode, RequestCandidateConsentError
            ),
        )

    @strawberry.mutation(
        description="Email the open consent request again with a fresh link (rate-limited)."
    )
    async def resend_candidate_consent(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            ResendCandidateConsentInput, strawberry.argument(description="Which candidate.")
        ],
    ) -> ResendCandidateConsentPayload:
        """The candidate's recruiter only; RATE_LIMITED when an email left too recently."""
        outcome = await guarded(
            lambda: consent_requests.resend_consent(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.client_mutation_id,
            )
        )
        return ResendCandidateConsentPayload(
            candidate=await payload_candidate(info, outcome),
            user_errors=user_errors(
                outcome, ResendCandidateConsentErrorCode, ResendCandidateConsentError
            ),
        )

    @strawberry.mutation(description="Withdraw a candidate's granted consent (admins).")
    async def revoke_candidate_consent(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RevokeCandidateConsentInput, strawberry.argument(description="Which candidate.")
        ],
    ) -> RevokeCandidateConsentPayload:
        """Admins only; the person withdraws through the link in their email."""
        outcome = await guarded(
            lambda: consent_resolvers.revoke_consent(
                info.context,
                None,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.client_mutation_id,
            )
        )
        return RevokeCandidateConsentPayload(
            consent=await _consent(outcome),
            user_errors=user_errors(
                outcome, RevokeCandidateConsentErrorCode, RevokeCandidateConsentError
            ),
        )
