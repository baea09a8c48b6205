"""Consent mutations: request a link, confirm (public) and revoke consent."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.candidates import ConsentStatus
from crowdhire.resolvers import consent as consent_resolvers
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


@strawberry.enum(description="What the person decided.")
class ConsentDecision(Enum):
    """A consent link's two answers."""

    GRANTED = "GRANTED"
    DECLINED = "DECLINED"


@strawberry.enum(description="Why requestCandidateConsent changed nothing.")
class RequestCandidateConsentErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why confirmCandidateConsent changed nothing.")
class ConfirmCandidateConsentErrorCode(Enum):
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_USED = "TOKEN_USED"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why revokeCandidateConsent changed nothing.")
class RevokeCandidateConsentErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    NOT_GRANTED = "NOT_GRANTED"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(
    name="RequestCandidateConsentError", description="A user error of requestCandidateConsent."
)
class RequestCandidateConsentError(UserError[RequestCandidateConsentErrorCode]):
    pass


@strawberry.type(
    name="ConfirmCandidateConsentError", description="A user error of confirmCandidateConsent."
)
class ConfirmCandidateConsentError(UserError[ConfirmCandidateConsentErrorCode]):
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


@strawberry.input(description="The person's answer through their consent link.")
class ConfirmCandidateConsentInput:
    token: str = strawberry.field(description="The token of the consent link.")
    decision: ConsentDecision = strawberry.field(description="Grant or decline.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Withdraw consent: the person's link token, or (admins) the id.")
class RevokeCandidateConsentInput:
    """revokeCandidateConsent's input; exactly one of token and candidateId."""

    token: str | None = strawberry.field(default=None, description="The consent link's token.")
    candidate_id: strawberry.ID | None = strawberry.field(
        default=None, description="The candidate (admins only)."
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="A new consent link, or why not.")
class RequestCandidateConsentPayload:
    candidate: CandidateType | None = strawberry.field(description="The candidate.")
    token: str | None = strawberry.field(
        description="The one-time link token to send to the person (older links stop working)."
    )
    expires_at: datetime | None = strawberry.field(description="When the link expires (UTC).")
    user_errors: list[RequestCandidateConsentError] = strawberry.field(
        description="Input problems."
    )


@strawberry.type(description="The recorded consent, or why not.")
class ConfirmCandidateConsentPayload:
    consent: ConsentType | None = strawberry.field(description="The consent now on record.")
    user_errors: list[ConfirmCandidateConsentError] = strawberry.field(
        description="Input problems."
    )


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
    """Consent links: ask, answer, withdraw."""

    @strawberry.mutation(description="Get a consent link token for your candidate (14 days).")
    async def request_candidate_consent(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RequestCandidateConsentInput, strawberry.argument(description="Which candidate.")
        ],
    ) -> RequestCandidateConsentPayload:
        """The candidate's recruiter only; a new link replaces the previous one."""
        outcome = await guarded(
            lambda: consent_resolvers.request_consent(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.client_mutation_id,
            )
        )
        candidate_id = outcome.object_id("candidate")
        link = (
            await consent_resolvers.consent_link(info.context, candidate_id)
            if candidate_id
            else None
        )
        return RequestCandidateConsentPayload(
            candidate=await payload_candidate(info, outcome),
            token=link.token if link else None,
            expires_at=link.expires_at if link else None,
            user_errors=user_errors(
                outcome, RequestCandidateConsentErrorCode, RequestCandidateConsentError
            ),
        )

    @strawberry.mutation(description="Public: the person grants or declines through their link.")
    async def confirm_candidate_consent(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            ConfirmCandidateConsentInput, strawberry.argument(description="Token and decision.")
        ],
    ) -> ConfirmCandidateConsentPayload:
        """No sign-in; the link records one decision."""
        decision = ConsentStatus(input.decision.value.lower())
        outcome = await guarded(
            lambda: consent_resolvers.confirm_consent(
                info.context, input.token, decision, input.client_mutation_id
            )
        )
        return ConfirmCandidateConsentPayload(
            consent=await _consent(outcome),
            user_errors=user_errors(
                outcome, ConfirmCandidateConsentErrorCode, ConfirmCandidateConsentError
            ),
        )

    @strawberry.mutation(description="Withdraw granted consent (the person's link, or admins).")
    async def revoke_candidate_consent(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RevokeCandidateConsentInput, strawberry.argument(description="Token or candidate.")
        ],
    ) -> RevokeCandidateConsentPayload:
        """Exactly one of token and candidateId."""
        candidate_id = input.candidate_id
        outcome = await guarded(
            lambda: consent_resolvers.revoke_consent(
                info.context,
                input.token,
                input_object_id(candidate_id, "Candidate", "candidateId") if candidate_id else None,
                input.client_mutation_id,
            )
        )
        return RevokeCandidateConsentPayload(
            consent=await _consent(outcome),
            user_errors=user_errors(
                outcome, RevokeCandidateConsentErrorCode, RevokeCandidateConsentError
            ),
        )
