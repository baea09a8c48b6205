"""Company type and its root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.companies import Company
from crowdhire.resolvers import companies as company_rules
from crowdhire.resolvers import jobs as job_rules
from crowdhire.resolvers.common import page_request
from crowdhire.schema.ids import Node, encode_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from

if TYPE_CHECKING:
    from crowdhire.schema.jobs import JobType


@strawberry.enum(description="Orderings of the companies list.")
class CompanyOrder(Enum):
    """Indexed sort orders; ties break on id."""

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
            created_at=company.created_at,
            model=company,
        )

    @strawberry.field(description="The company's jobs, newest first.")
    async def jobs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[JobType, strawberry.lazy("crowdhire.schema.jobs")]]:
        """A page of this company's jobs, batched across companies."""
        from crowdhire.schema.jobs import JobType  # noqa: PLC0415 - breaks an import cycle

        company_id = self.model.id
        assert company_id is not None
        request = page_request(first, after, last, before)
        page = await job_rules.company_jobs(info.context, company_id, request)
        return connection_from(
            page, JobType.from_model, lambda: job_rules.company_job_count(info.context, company_id)
        )


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
    page = await company_rules.list_companies(order_by.value, request)
    return connection_from(page, CompanyType.from_model, company_rules.count_companies)
