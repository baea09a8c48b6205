"""createCompany and updateCompany: inputs, error codes, payloads and the mutations."""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.resolvers import companies as company_resolvers
from crowdhire.resolvers import company_profiles as profile_resolvers
from crowdhire.resolvers.transactions import Outcome
from crowdhire.schema.companies import CompanyType
from crowdhire.schema.patches import kept_or_nullable, kept_or_required
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    shown_after,
    user_errors,
)


@strawberry.enum(description="Why createCompany changed nothing.")
class CreateCompanyErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    DUPLICATE_SLUG = "DUPLICATE_SLUG"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why updateCompany changed nothing.")
class UpdateCompanyErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="CreateCompanyError", description="A user error of createCompany.")
class CreateCompanyError(UserError[CreateCompanyErrorCode]):
    pass


@strawberry.type(name="UpdateCompanyError", description="A user error of updateCompany.")
class UpdateCompanyError(UserError[UpdateCompanyErrorCode]):
    pass


@strawberry.input(description="A new company and, optionally, its first owner.")
class CreateCompanyInput:
    name: str = strawberry.field(description="Display name (1 to 200 characters).")
    slug: str = strawberry.field(
        description="Unique handle: 1 to 80 lower-case letters, digits or hyphens; never changes."
    )
    website: str | None = strawberry.field(default=None, description="An http(s) address.")
    description: str = strawberry.field(default="", description="About the company (≤ 5,000).")
    owner_sub: str | None = strawberry.field(
        default=None, description="Auth0 subject who becomes the company's first owner."
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Company fields to change; omitted fields stay as they are.")
class UpdateCompanyInput:
    """updateCompany's input (the slug cannot change)."""

    company_id: strawberry.ID = strawberry.field(description="The company.")
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="New display name (not null)."
    )
    website: str | None = strawberry.field(
        default=strawberry.UNSET, description="New http(s) address; null removes it."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description (not null)."
    )
    tagline: str | None = strawberry.field(
        default=strawberry.UNSET, description="Careers page header line (≤ 160); null removes it."
    )
    headquarters: str | None = strawberry.field(
        default=strawberry.UNSET, description="Where the company is based; null removes it."
    )
    logo_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="http(s) address of its logo; null removes it."
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The new company, or why not.")
class CreateCompanyPayload:
    company: CompanyType | None = strawberry.field(description="The company created.")
    user_errors: list[CreateCompanyError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The company after updateCompany, or why not.")
class UpdateCompanyPayload:
    company: CompanyType | None = strawberry.field(description="The company as it is now.")
    user_errors: list[UpdateCompanyError] = strawberry.field(description="Input problems.")


def _patch(input: UpdateCompanyInput) -> profile_resolvers.CompanyPatch:  # noqa: A002
    return profile_resolvers.CompanyPatch(
        name=kept_or_required(input.name, "name"),
        website=kept_or_nullable(input.website),
        description=kept_or_required(input.description, "description"),
        tagline=kept_or_nullable(input.tagline),
        headquarters=kept_or_nullable(input.headquarters),
        logo_url=kept_or_nullable(input.logo_url),
    )


async def _company(info: Info, outcome: Outcome) -> CompanyType | None:
    load = partial(company_resolvers.company_by_id, info.context)
    return await shown_after(outcome, "company", load, CompanyType.from_model)


@strawberry.type(description="Company profile mutations.")
class CompanyProfileMutations:
    """Creating and editing companies."""

    @strawberry.mutation(description="Create a company, optionally with its first owner (admins).")
    async def create_company(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CreateCompanyInput, strawberry.argument(description="The company and its owner.")
        ],
    ) -> CreateCompanyPayload:
        """Company and owner membership are written in one transaction."""
        fields = profile_resolvers.CompanyFields(
            name=input.name, slug=input.slug, website=input.website, description=input.description
        )
        outcome = await guarded(
            lambda: profile_resolvers.create_company(
                info.context, fields, input.owner_sub, input.client_mutation_id
            )
        )
        return CreateCompanyPayload(
            company=await _company(info, outcome),
            user_errors=user_errors(outcome, CreateCompanyErrorCode, CreateCompanyError),
        )

    @strawberry.mutation(
        description="Change a company's name, website, description or careers page fields."
    )
    async def update_company(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            UpdateCompanyInput, strawberry.argument(description="The company and its changes.")
        ],
    ) -> UpdateCompanyPayload:
        """Owners and admins; fields not given stay as they are."""
        outcome = await guarded(
            lambda: profile_resolvers.update_company(
                info.context,
                input_object_id(input.company_id, "Company", "companyId"),
                _patch(input),
                input.client_mutation_id,
            )
        )
        return UpdateCompanyPayload(
            company=await _company(info, outcome),
            user_errors=user_errors(outcome, UpdateCompanyErrorCode, UpdateCompanyError),
        )
