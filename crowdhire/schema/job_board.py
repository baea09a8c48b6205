"""`jobBoard(companySlug)`: what a company's careers page shows, all of it public.

Anonymous persisted GETs of it are publicly cacheable (see crowdhire/graphql/http_caching.py):
it reads only public fields, so everyone gets the same answer.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.companies import Company
from crowdhire.models.jobs import Job
from crowdhire.resolvers import job_board as board_resolvers
from crowdhire.resolvers import jobs as job_resolvers
from crowdhire.resolvers.argument_rules import page_request
from crowdhire.schema.companies import CompanyType
from crowdhire.schema.connections import connection_of
from crowdhire.schema.jobs import JobType
from crowdhire.schema.pagination import After, Before, Connection, First, Last


@strawberry.type(
    name="JobBoard", description="A company's careers page: its profile and open jobs."
)
class JobBoardType:
    """The careers page of one company."""

    company: CompanyType = strawberry.field(description="The company's public profile.")
    model: strawberry.Private[Company]

    @strawberry.field(description="The company's open jobs, newest first.")
    async def jobs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[JobType]:
        """OPEN jobs only, for every viewer."""
        criteria = board_resolvers.open_jobs_of(self.model)
        request = page_request(first, after, last, before)
        page = await job_resolvers.list_jobs(info.context, criteria, "CREATED_AT_DESC", request)
        count = lambda: job_resolvers.count_jobs(info.context, criteria)  # noqa: E731
        return await connection_of(info, Job, page, count)

    @strawberry.field(description="One open job of the company by its `slug`; null otherwise.")
    async def job(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="A job's `slug` (from its URL).")],
    ) -> JobType | None:
        """Null for a missing job, another company's, or one that is not open."""
        job = await board_resolvers.open_job_by_slug(info.context, self.model, slug)
        return JobType.from_model(job) if job is not None else None


async def resolve_job_board(
    company_slug: Annotated[
        str, strawberry.argument(description="The company's `slug`, as in its careers URL.")
    ],
) -> JobBoardType | None:
    """Null when no company has that slug."""
    company = await board_resolvers.company_by_slug(company_slug)
    if company is None:
        return None
    return JobBoardType(company=CompanyType.from_model(company), model=company)
