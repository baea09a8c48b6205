"""Company type and its root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from bson import ObjectId

from crowdhire.context import Info
from crowdhire.loaders.jobs import JOBS_BY_COMPANY_ID
from crowdhire.models.companies import Company, CompanyMember, MemberRole
from crowdhire.resolvers import companies as company_resolvers
from crowdhire.resolvers import jobs as job_resolvers
from crowdhire.resolvers.argument_rules import page_request
from crowdhire.schema.connections import (
    child_connection_field,
    register_node_view,
)
from crowdhire.schema.ids import Node, encode_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    shown_after,
    user_errors,
)

if TYPE_CHECKING:
    pass


@strawberry.enum(description="Orderings of the companies list.")
class CompanyOrder(Enum):
    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    SLUG_ASC = "SLUG_ASC"


@strawberry.type(name="Company", description="An employer that posts jobs.")
class CompanyType(Node):
    """A company's public profile."""

    name: str = strawberry.field(description="Display name.")
    slug: str = strawberry.field(description="Unique URL-safe handle.")
    website: str | None = strawberry.field(description="Company website.")
    description: str = strawberry.field(description="About the company.")
    tagline: str | None = strawberry.field(description="One line for the careers page header.")
    headquarters: str | None = strawberry.field(description="Where the company is based.")
    logo_url: str | None = strawberry.field(description="An http(s) address of its logo.")
    created_at: datetime = strawberry.field(description="When the company joined (UTC).")
    model: strawberry.Private[Company]

    @classmethod
    def from_model(cls, company: Company) -> CompanyType:
        """The GraphQL view of a company document."""
        assert company.id is not None
        return cls(
            id=encode_global_id("Company", company.id),
            name=company.name,
            slug=company.slug,
            website=company.website,
            description=company.description,
            tagline=company.tagline,
            headquarters=company.headquarters,
            logo_url=company.logo_url,
            created_at=company.created_at,
            model=company,
        )

    @strawberry.field(description="Who belongs to the company (its members and admins only).")
    async def members(self, info: Info) -> list[CompanyMemberType] | None:
        """FORBIDDEN to anyone outside the company."""
        return await _members(self, info)

    jobs = child_connection_field(
        JOBS_BY_COMPANY_ID,
        description="The company's jobs, newest first.",
        criteria=lambda company, info: job_resolvers.company_job_criteria(
            info.context, company.model
        ),
    )


async def _members(company: CompanyType, info: Info) -> list[CompanyMemberType] | None:
    company_id = company.model.id
    assert company_id is not None
    members = await company_resolvers.company_members(info.context, company_id)
    return [CompanyMemberType.from_model(member) for member in members]


register_node_view(Company, CompanyType.from_model)


async def company_view(info: Info, company_id: ObjectId) -> CompanyType | None:
    """A related company, through the batched, cached company loader (None if it is gone)."""
    company = await info.context.loaders.company_by_id.load(company_id)
    return CompanyType.from_model(company) if company else None


async def resolve_companies(
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    order_by: Annotated[
        CompanyOrder, strawberry.argument(description="Sort order (indexed fields only).")
    ] = CompanyOrder.CREATED_AT_DESC,
) -> Connection[CompanyType]:
    """Root list of companies."""
    request = page_request(first, after, last, before)
    page = await company_resolvers.list_companies(order_by.value, request)
    return connection_from(page, CompanyType.from_model, company_resolvers.count_companies)


strawberry.enum(MemberRole, description="A company member's role; owners manage members.")


@strawberry.type(name="CompanyMember", description="An Auth0 subject's membership of a company.")
class CompanyMemberType:
    """A membership."""

    sub: str = strawberry.field(description="The member's Auth0 subject.")
    role: MemberRole = strawberry.field(description="Owner or member.")
    created_at: datetime = strawberry.field(description="When the membership began (UTC).")

    @classmethod
    def from_model(cls, member: CompanyMember) -> CompanyMemberType:
        """The GraphQL view of a membership."""
        return cls(sub=member.sub, role=member.role, created_at=member.created_at)


@strawberry.enum(description="Why addCompanyMember changed nothing.")
class AddCompanyMemberErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    LAST_OWNER = "LAST_OWNER"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why removeCompanyMember changed nothing.")
class RemoveCompanyMemberErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_A_MEMBER = "NOT_A_MEMBER"
    LAST_OWNER = "LAST_OWNER"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="AddCompanyMemberError", description="A user error of addCompanyMember.")
class AddCompanyMemberError(UserError[AddCompanyMemberErrorCode]):
    pass


@strawberry.type(
    name="RemoveCompanyMemberError", description="A user error of removeCompanyMember."
)
class RemoveCompanyMemberError(UserError[RemoveCompanyMemberErrorCode]):
    pass


@strawberry.input(description="Who to add to which company, with which role.")
class AddCompanyMemberInput:
    company_id: strawberry.ID = strawberry.field(description="The company.")
    sub: str = strawberry.field(description="The Auth0 subject to add.")
    role: MemberRole = strawberry.field(default=MemberRole.MEMBER, description="Their role.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Who to remove from which company.")
class RemoveCompanyMemberInput:
    company_id: strawberry.ID = strawberry.field(description="The company.")
    sub: str = strawberry.field(description="The Auth0 subject to remove.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The membership after addCompanyMember, or why not.")
class AddCompanyMemberPayload:
    member: CompanyMemberType | None = strawberry.field(description="The membership.")
    user_errors: list[AddCompanyMemberError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The result of removeCompanyMember.")
class RemoveCompanyMemberPayload:
    removed: bool = strawberry.field(description="True when the membership was removed.")
    user_errors: list[RemoveCompanyMemberError] = strawberry.field(description="Input problems.")


@strawberry.type(description="Company mutations.")
class CompanyMutations:
    """Membership management."""

    @strawberry.mutation(description="Add a member to a company (admins and owners).")
    async def add_company_member(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            AddCompanyMemberInput, strawberry.argument(description="Who, where, which role.")
        ],
    ) -> AddCompanyMemberPayload:
        """Idempotent with clientMutationId; changing a role is allowed."""
        outcome = await guarded(
            lambda: company_resolvers.add_company_member(
                info.context,
                input_object_id(input.company_id, "Company", "companyId"),
                input.sub,
                input.role,
                input.client_mutation_id,
            )
        )
        member = await shown_after(
            outcome, "member", company_resolvers.member_by_id, CompanyMemberType.from_model
        )
        return AddCompanyMemberPayload(
            member=member,
            user_errors=user_errors(outcome, AddCompanyMemberErrorCode, AddCompanyMemberError),
        )

    @strawberry.mutation(description="Remove a member from a company (admins and owners).")
    async def remove_company_member(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RemoveCompanyMemberInput, strawberry.argument(description="Who and where.")
        ],
    ) -> RemoveCompanyMemberPayload:
        """The last owner cannot be removed."""
        outcome = await guarded(
            lambda: company_resolvers.remove_company_member(
                info.context,
                input_object_id(input.company_id, "Company", "companyId"),
                input.sub,
                input.client_mutation_id,
            )
        )
        return RemoveCompanyMemberPayload(
            removed=not outcome.errors,
            user_errors=user_errors(
                outcome, RemoveCompanyMemberErrorCode, RemoveCompanyMemberError
            ),
        )
