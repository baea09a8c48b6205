"""Job type, its filter input, orderings and the root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from crowdhire.context import Info
from crowdhire.loaders.placements import PLACEMENTS_BY_JOB_ID
from crowdhire.loaders.submissions import SUBMISSIONS_BY_JOB_ID
from crowdhire.matching.profiles import job_profile
from crowdhire.models.jobs import EmploymentType, FeeTerms, Job, JobStatus, RemotePolicy
from crowdhire.models.submissions import Stage, Submission
from crowdhire.resolvers import companies as company_resolvers
from crowdhire.resolvers import jobs as job_resolvers
from crowdhire.resolvers import submissions as submission_resolvers
from crowdhire.resolvers.access import ensure_can_see_fee_terms, job_pipeline_criteria
from crowdhire.resolvers.argument_rules import capped_list, page_request
from crowdhire.resolvers.job_board import job_slug
from crowdhire.schema.common import MoneyType
from crowdhire.schema.companies import CompanyType
from crowdhire.schema.connections import (
    child_connection,
    child_connection_field,
    connection_of,
    register_node_view,
)
from crowdhire.schema.ids import Node, encode_global_id, optional_object_id
from crowdhire.schema.job_relations import prefetch_job_relations, submissions_now
from crowdhire.schema.pagination import After, Before, Connection, First, Last
from crowdhire.schema.relations import MaybeLater, related

if TYPE_CHECKING:
    from crowdhire.schema.matching import CandidateRecommendationType
    from crowdhire.schema.submissions import SubmissionType

strawberry.enum(JobStatus, description="Job lifecycle: DRAFT → OPEN → PAUSED/FILLED/CLOSED.")
strawberry.enum(RemotePolicy, description="Where the work happens.")
strawberry.enum(EmploymentType, description="The contract form of a job.")
strawberry.enum(Stage, description="Pipeline stage of a submission.")


@strawberry.enum(description="Orderings of the jobs list.")
class JobOrder(Enum):
    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    TITLE_ASC = "TITLE_ASC"
    TITLE_DESC = "TITLE_DESC"


@strawberry.enum(description="Orderings of a job's submissions.")
class JobSubmissionOrder(Enum):
    """Newest first (indexed), or best match first (scores computed on read)."""

    CREATED_AT_DESC = "CREATED_AT_DESC"
    MATCH_DESC = "MATCH_DESC"


@strawberry.type(name="SalaryRange", description="Yearly salary bounds.")
class SalaryRangeType:
    """Salary in minor units."""

    min: int = strawberry.field(description="Lower bound in minor units per year.")
    max: int = strawberry.field(description="Upper bound in minor units per year.")
    currency: str = strawberry.field(description="ISO 4217 currency code.")


@strawberry.type(name="FeeTerms", description="What a hire through crowdhire costs.")
class FeeTermsType:
    """Either a percentage of first-year salary or a flat amount."""

    percent: float | None = strawberry.field(description="Percent of first-year salary.")
    flat_amount: MoneyType | None = strawberry.field(description="Flat fee, if not a percent.")
    currency: str = strawberry.field(description="Currency the fee is charged in.")
    guarantee_days: int = strawberry.field(description="Days a hire is guaranteed.")
    recruiter_share_percent: float = strawberry.field(description="Recruiter's share of the fee.")

    @classmethod
    def from_model(cls, terms: FeeTerms) -> FeeTermsType:
        """The GraphQL view of fee terms."""
        flat = None
        if terms.flat_amount is not None:
            flat = MoneyType(amount=terms.flat_amount, currency=terms.currency)
        return cls(
            percent=terms.percent,
            flat_amount=flat,
            currency=terms.currency,
            guarantee_days=terms.guarantee_days,
            recruiter_share_percent=terms.recruiter_share_percent,
        )


@strawberry.type(name="Job", description="An opening a company posted.")
class JobType(Node):
    """A job with its terms and pipeline."""

    title: str = strawberry.field(description="Job title.")
    description: str = strawberry.field(description="Full description.")
    location: str = strawberry.field(description="City or region.")
    remote_policy: RemotePolicy = strawberry.field(description="Onsite, hybrid or remote.")
    employment_type: EmploymentType = strawberry.field(description="Contract form.")
    salary: SalaryRangeType | None = strawberry.field(description="Yearly salary range.")
    skills: list[str] = strawberry.field(description="Required skills, lower-case.")
    status: JobStatus = strawberry.field(description="Lifecycle status.")
    openings: int = strawberry.field(description="How many people the company will hire.")
    must_have_skills: list[str] = strawberry.field(
        description="Skills matching requires (`skills` when no list was split)."
    )
    nice_to_have_skills: list[str] = strawberry.field(description="Skills that help a match.")
    min_years_experience: int | None = strawberry.field(description="Fewest years wanted.")
    max_years_experience: int | None = strawberry.field(description="Most years wanted.")
    languages: list[str] = strawberry.field(description="Languages the work needs.")
    created_at: datetime = strawberry.field(description="When the job was created (UTC).")
    opened_at: datetime | None = strawberry.field(description="When it was first opened (UTC).")
    model: strawberry.Private[Job]

    @classmethod
    def from_model(cls, job: Job) -> JobType:
        """The GraphQL view of a job document."""
        assert job.id is not None
        salary = job.salary
        return cls(
            id=encode_global_id("Job", job.id),
            title=job.title,
            description=job.description,
            location=job.location,
            remote_policy=job.remote_policy,
            employment_type=job.employment_type,
            salary=SalaryRangeType(min=salary.min, max=salary.max, currency=salary.currency)
            if salary
            else None,
            skills=job.skills,
            status=job.status,
            openings=job.openings,
            must_have_skills=list(job_profile(job).must_have),
            nice_to_have_skills=job.nice_to_have_skills,
            min_years_experience=job.min_years_experience,
            max_years_experience=job.max_years_experience,
            languages=job.languages,
            created_at=job.created_at,
            opened_at=job.opened_at,
            model=job,
        )

    @strawberry.field(
        description="Public URL id: the title in URL form and the job's id; links keep working "
        "after a title change (`JobBoard.job(slug:)` looks it up)."
    )
    def slug(self) -> str:
        """Derived, never stored."""
        return job_slug(self.model)

    @strawberry.field(description="Placement fee terms (recruiters and the company only).")
    def fee_terms(self, info: Info) -> FeeTermsType | None:
        """Hidden from anonymous viewers and other companies (FORBIDDEN)."""
        ensure_can_see_fee_terms(info.context.viewer, self.model)
        return FeeTermsType.from_model(self.model.fee_terms)

    # Relations answer at once when the page of jobs prefetched them (schema.job_relations).
    @strawberry.field(
        description="The company that posted the job.", graphql_type=CompanyType | None
    )
    def company(self, info: Info) -> MaybeLater[CompanyType | None]:
        """Loaded through the batched, cached company loader."""
        company_id, convert = self.model.company_id, CompanyType.from_model
        now, by_id = company_resolvers.company_now, company_resolvers.company_by_id
        return related(info.context, company_id, now, by_id, convert)

    @strawberry.field(
        description="Candidates submitted to this job, newest first.",
        graphql_type=Connection[
            Annotated["SubmissionType", strawberry.lazy("crowdhire.schema.submissions")]
        ]
        | None,
    )
    def submissions(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        stage: Annotated[
            list[Stage] | None, strawberry.argument(description="Only these stages.")
        ] = None,
        order_by: Annotated[
            JobSubmissionOrder,
            strawberry.argument(
                description="CREATED_AT_DESC (default) or MATCH_DESC: best match score first"
                " (forward paging only; people who opted out of automated ranking come last)."
            ),
        ] = JobSubmissionOrder.CREATED_AT_DESC,
    ) -> MaybeLater[Connection[Any] | None]:
        """The company sees all; a recruiter only their own; others are FORBIDDEN."""
        window = (first, after, last, before)
        if order_by is not JobSubmissionOrder.MATCH_DESC:
            now = submissions_now(info, self.model, window, stage)
            if now is not None:
                return now
        return self._load_submissions(info, window, stage, order_by)

    async def _load_submissions(
        self,
        info: Info,
        window: tuple[int | None, str | None, int | None, str | None],
        stage: list[Stage] | None,
        order_by: JobSubmissionOrder,
    ) -> Connection[Any] | None:
        first, after, last, before = window
        context = info.context
        visible = job_pipeline_criteria(context.viewer, self.model, "submissions")
        stages = capped_list(stage, "stage")
        if order_by is JobSubmissionOrder.MATCH_DESC:
            from crowdhire.resolvers.match_order import submissions_by_match  # noqa: PLC0415

            request = page_request(first, after, last, before)
            ranked, total = await submissions_by_match(
                context, self.model, request, stages, visible
            )

            async def ranked_count() -> int:
                return total

            return await connection_of(info, Submission, ranked, ranked_count)
        criteria = submission_resolvers.stage_criteria(stages, visible)
        return await child_connection(
            info, SUBMISSIONS_BY_JOB_ID, self.model.id, first, after, last, before, criteria
        )

    @strawberry.field(
        description="Candidates ranked for this job by the matching engine, best first (advice"
        " only): the company's members rank the candidates submitted to it, a recruiter their"
        " own candidates, admins the whole pool; others are FORBIDDEN. Every list served is"
        " audited."
    )
    async def recommended_candidates(
        self, info: Info, first: First = None, after: After = None
    ) -> (
        Connection[
            Annotated[CandidateRecommendationType, strawberry.lazy("crowdhire.schema.matching")]
        ]
        | None
    ):
        """Ranked through the in-process vector index; never cached as a response."""
        from crowdhire.resolvers.matching import recommended_candidates  # noqa: PLC0415 - cycle
        from crowdhire.schema.matching import candidate_recommendations  # noqa: PLC0415

        request = page_request(first, after, None, None)
        page, total = await recommended_candidates(info.context, self.model, request)
        return candidate_recommendations(info, page, total)

    placements = child_connection_field(
        PLACEMENTS_BY_JOB_ID,
        description="Hires made for this job, newest first.",
        criteria=lambda job, info: job_pipeline_criteria(
            info.context.viewer, job.model, "placements"
        ),
        nullable=True,
    )


register_node_view(Job, JobType.from_model, prefetch_job_relations)


@strawberry.input(description="Filters for the jobs list; all given conditions must hold.")
class JobFilter:
    """Typed job filters (no free-form query documents)."""

    status: list[JobStatus] | None = strawberry.field(default=None, description="Any of these.")
    company_id: strawberry.ID | None = strawberry.field(default=None, description="Posted by.")
    skills_any: list[str] | None = strawberry.field(
        default=None, description="Requires at least one of these skills."
    )
    skills_all: list[str] | None = strawberry.field(
        default=None, description="Requires all of these skills."
    )
    remote_policy: list[RemotePolicy] | None = strawberry.field(
        default=None, description="Any of these remote policies."
    )
    location: str | None = strawberry.field(
        default=None, description="Location starts with this (case-insensitive)."
    )
    salary_min: int | None = strawberry.field(
        default=None, description="Salary range reaches at least this (minor units)."
    )
    salary_max: int | None = strawberry.field(
        default=None, description="Salary range starts at most at this (minor units)."
    )
    text: str | None = strawberry.field(
        default=None, description="Words to search in title and description (≤ 200 chars)."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created at or after this time."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Created before this time."
    )

    def criteria(self) -> job_resolvers.JobCriteria:
        """The resolver-level criteria; invalid ids and long lists are named errors."""
        return job_resolvers.JobCriteria(
            statuses=capped_list(self.status, "filter.status"),
            company_id=optional_object_id(self.company_id, "Company", argument="filter.companyId"),
            skills_any=capped_list(self.skills_any, "filter.skillsAny"),
            skills_all=capped_list(self.skills_all, "filter.skillsAll"),
            remote_policies=capped_list(self.remote_policy, "filter.remotePolicy"),
            location=self.location,
            salary_min=self.salary_min,
            salary_max=self.salary_max,
            text=self.text,
            created_after=self.created_after,
            created_before=self.created_before,
        )


async def resolve_jobs(
    info: Info,
    filter: Annotated[  # noqa: A002 - GraphQL argument name
        JobFilter | None, strawberry.argument(description="Conditions jobs must meet.")
    ] = None,
    order_by: Annotated[
        JobOrder, strawberry.argument(description="Sort order (indexed fields only).")
    ] = JobOrder.CREATED_AT_DESC,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[JobType]:
    """Root list of jobs."""
    criteria = filter.criteria() if filter else job_resolvers.JobCriteria()
    request = page_request(first, after, last, before)
    page = await job_resolvers.list_jobs(info.context, criteria, order_by.value, request)
    count = lambda: job_resolvers.count_jobs(info.context, criteria)  # noqa: E731
    return await connection_of(info, Job, page, count)
