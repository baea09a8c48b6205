"""Recruiter type and its root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from crowdhire.context import Info
from crowdhire.loaders.base import Criteria
from crowdhire.loaders.candidates import CANDIDATES_BY_RECRUITER_ID
from crowdhire.loaders.children import ChildRelation
from crowdhire.loaders.placements import PLACEMENTS_BY_RECRUITER_ID
from crowdhire.loaders.submissions import SUBMISSIONS_BY_RECRUITER_ID
from crowdhire.models.recruiters import Recruiter
from crowdhire.resolvers import recruiters as recruiter_resolvers
from crowdhire.resolvers.access import ensure_is_self_or_admin
from crowdhire.resolvers.argument_rules import page_request
from crowdhire.resolvers.recruiter_stats import recruiter_stats
from crowdhire.schema.connections import (
    child_connection_field,
    register_node_view,
)
from crowdhire.schema.ids import Node, encode_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.payloads import ClientMutationId, UserError, guarded, shown_after, user_errors
from crowdhire.schema.payment_types import RecruiterEarningsType, resolve_earnings
from crowdhire.schema.recruiter_stats import RecruiterStatsType

if TYPE_CHECKING:
    pass


SOURCED = "Candidates this recruiter sourced, newest first."
SUBMITTED = "Submissions this recruiter made, newest first."
CREDITED = "Hires credited to this recruiter, newest first."


def own_list(relation: ChildRelation, description: str) -> Any:
    """One of a recruiter's own lists: FORBIDDEN to everyone but the recruiter and admins."""
    field_name = relation.model.Settings.name  # candidates, submissions, placements

    def criteria(recruiter: RecruiterType, info: Info) -> Criteria:
        ensure_is_self_or_admin(info.context.viewer, recruiter.model, field_name)
        return ()

    return child_connection_field(
        relation, description=description, criteria=criteria, nullable=True
    )


@strawberry.enum(description="Orderings of the recruiters list.")
class RecruiterOrder(Enum):
    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"


@strawberry.type(name="Recruiter", description="An independent recruiter of the crowd.")
class RecruiterType(Node):
    """A recruiter's profile and their work."""

    display_name: str = strawberry.field(description="Name shown to companies.")
    bio: str = strawberry.field(description="About the recruiter.")
    specialties: list[str] = strawberry.field(description="Fields the recruiter works in.")
    created_at: datetime = strawberry.field(description="When the recruiter joined (UTC).")
    model: strawberry.Private[Recruiter]

    @classmethod
    def from_model(cls, recruiter: Recruiter) -> RecruiterType:
        """The GraphQL view of a recruiter document."""
        assert recruiter.id is not None
        return cls(
            id=encode_global_id("Recruiter", recruiter.id),
            display_name=recruiter.display_name,
            bio=recruiter.bio,
            specialties=recruiter.specialties,
            created_at=recruiter.created_at,
            model=recruiter,
        )

    @strawberry.field(description="Contact email (the recruiter and admins only).")
    def email(self, info: Info) -> str | None:
        """FORBIDDEN to anyone but the recruiter and admins."""
        ensure_is_self_or_admin(info.context.viewer, self.model, "email")
        return self.model.email

    @strawberry.field(
        description="Submissions, interviews, hires, rates, fee shares (self/admins)."
    )
    async def stats(self, info: Info) -> RecruiterStatsType | None:
        """FORBIDDEN to anyone but the recruiter and admins; batched across recruiters."""
        return RecruiterStatsType.from_stats(await recruiter_stats(info.context, self.model))

    @strawberry.field(
        description="Fee shares per currency: pending, earned, reversed (self/admins)."
    )
    async def earnings(self, info: Info) -> list[RecruiterEarningsType] | None:
        """FORBIDDEN to anyone but the recruiter and admins."""
        return list(await resolve_earnings(info, self.model))

    candidates = own_list(CANDIDATES_BY_RECRUITER_ID, SOURCED)
    submissions = own_list(SUBMISSIONS_BY_RECRUITER_ID, SUBMITTED)
    placements = own_list(PLACEMENTS_BY_RECRUITER_ID, CREDITED)


register_node_view(Recruiter, RecruiterType.from_model)


async def resolve_recruiters(
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    order_by: Annotated[
        RecruiterOrder, strawberry.argument(description="Sort order (indexed fields only).")
    ] = RecruiterOrder.CREATED_AT_DESC,
) -> Connection[RecruiterType]:
    """Root list of recruiters."""
    request = page_request(first, after, last, before)
    page = await recruiter_resolvers.list_recruiters(info.context, order_by.value, request)
    return connection_from(
        page, RecruiterType.from_model, lambda: recruiter_resolvers.count_recruiters(info.context)
    )


@strawberry.enum(description="Why registerRecruiter changed nothing.")
class RegisterRecruiterErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="RegisterRecruiterError", description="A user error of registerRecruiter.")
class RegisterRecruiterError(UserError[RegisterRecruiterErrorCode]):
    pass


@strawberry.input(description="The new recruiter's profile.")
class RegisterRecruiterInput:
    display_name: str = strawberry.field(description="Name shown to companies (1 to 120).")
    email: str = strawberry.field(description="Contact email.")
    bio: str = strawberry.field(default="", description="About you (up to 2,000 chars).")
    specialties: list[str] = strawberry.field(
        default_factory=list, description="Fields you recruit in (up to 20)."
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The signed-in subject's recruiter profile, or why not.")
class RegisterRecruiterPayload:
    recruiter: RecruiterType | None = strawberry.field(description="Your recruiter profile.")
    user_errors: list[RegisterRecruiterError] = strawberry.field(description="Input problems.")


@strawberry.enum(description="Why updateRecruiterProfile changed nothing.")
class UpdateRecruiterProfileErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(
    name="UpdateRecruiterProfileError", description="A user error of updateRecruiterProfile."
)
class UpdateRecruiterProfileError(UserError[UpdateRecruiterProfileErrorCode]):
    pass


@strawberry.input(description="The profile fields to change; omitted fields stay as they are.")
class UpdateRecruiterProfileInput:
    display_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Name shown to companies (1 to 120)."
    )
    email: str | None = strawberry.field(default=strawberry.UNSET, description="Contact email.")
    bio: str | None = strawberry.field(
        default=strawberry.UNSET, description="About you (up to 2,000 chars)."
    )
    specialties: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Fields you recruit in (up to 20)."
    )
    client_mutation_id: str | None = ClientMutationId

    def changes(self) -> dict[str, object]:
        """The fields the caller gave (null included, to be refused by name)."""
        given = {
            "display_name": self.display_name,
            "email": self.email,
            "bio": self.bio,
            "specialties": self.specialties,
        }
        return {name: value for name, value in given.items() if value is not strawberry.UNSET}


@strawberry.type(description="Your recruiter profile after updateRecruiterProfile, or why not.")
class UpdateRecruiterProfilePayload:
    recruiter: RecruiterType | None = strawberry.field(description="Your recruiter profile.")
    user_errors: list[UpdateRecruiterProfileError] = strawberry.field(description="Input problems.")


@strawberry.type(description="Recruiter mutations.")
class RecruiterMutations:
    """Sign-up of the crowd."""

    @strawberry.mutation(description="First login: become a recruiter (again: returns you).")
    async def register_recruiter(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RegisterRecruiterInput, strawberry.argument(description="Your profile.")
        ],
    ) -> RegisterRecruiterPayload:
        """Creates the Recruiter for the token's subject; repeated calls return it."""
        profile = recruiter_resolvers.RecruiterProfileInput(
            display_name=input.display_name,
            email=input.email,
            bio=input.bio,
            specialties=tuple(input.specialties),
        )
        outcome = await guarded(
            lambda: recruiter_resolvers.register_recruiter(
                info.context, profile, input.client_mutation_id
            )
        )
        load = partial(recruiter_resolvers.recruiter_by_id, info.context)
        shown = await shown_after(outcome, "recruiter", load, RecruiterType.from_model)
        return RegisterRecruiterPayload(
            recruiter=shown,
            user_errors=user_errors(outcome, RegisterRecruiterErrorCode, RegisterRecruiterError),
        )

    @strawberry.mutation(description="Change your own recruiter profile (only the given fields).")
    async def update_recruiter_profile(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            UpdateRecruiterProfileInput, strawberry.argument(description="The fields to change.")
        ],
    ) -> UpdateRecruiterProfilePayload:
        """Same validation as registerRecruiter; the signed-in recruiter only."""
        outcome = await guarded(
            lambda: recruiter_resolvers.update_recruiter_profile(
                info.context, input.changes(), input.client_mutation_id
            )
        )
        load = partial(recruiter_resolvers.recruiter_by_id, info.context)
        shown = await shown_after(outcome, "recruiter", load, RecruiterType.from_model)
        return UpdateRecruiterProfilePayload(
            recruiter=shown,
            user_errors=user_errors(
                outcome, UpdateRecruiterProfileErrorCode, UpdateRecruiterProfileError
            ),
        )
