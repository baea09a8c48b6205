# mypy: disallow-untyped-decorators=False
"""Variant N: a naive Strawberry schema over the same Beanie models, one query per object.

It exists only as the benchmark's baseline: no loaders, no cache, no batching, every relation
resolved with its own `Model.get` or `find`, exactly the N+1 shape crowdhire avoids.
"""

from __future__ import annotations

import base64
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from beanie import SortDirection
from bson import ObjectId

from bench.scenarios import global_id
from crowdhire.models import Candidate, Company, Job, Recruiter, Submission
from crowdhire.models.jobs import JobStatus
from crowdhire.models.submissions import Stage

strawberry.enum(Stage, description="Pipeline stage of a submission.")
strawberry.enum(JobStatus, description="Job lifecycle.")

NEWEST_FIRST = [
    ("created_at", SortDirection.DESCENDING),
    ("_id", SortDirection.DESCENDING),
]


@strawberry.enum(description="Orderings of the jobs list.")
class JobOrder(Enum):
    """The two orderings the scenarios use."""

    CREATED_AT_DESC = "CREATED_AT_DESC"
    TITLE_ASC = "TITLE_ASC"


JOB_SORTS = {
    JobOrder.CREATED_AT_DESC: NEWEST_FIRST,
    JobOrder.TITLE_ASC: [("title", SortDirection.ASCENDING), ("_id", SortDirection.ASCENDING)],
}


@strawberry.interface(description="An object with an opaque id.")
class Node:
    """Relay Node."""

    id: strawberry.ID = strawberry.field(description="Opaque id.")


@strawberry.type(name="Company", description="An employer.")
class CompanyType(Node):
    """A company."""

    name: str = strawberry.field(description="Display name.")

    @classmethod
    def of(cls, company: Company | None) -> CompanyType | None:
        """The GraphQL view of a company."""
        if company is None or company.id is None:
            return None
        return cls(id=strawberry.ID(global_id("Company", company.id)), name=company.name)


@strawberry.type(name="Recruiter", description="A recruiter.")
class RecruiterType(Node):
    """A recruiter."""

    display_name: str = strawberry.field(description="Name shown to companies.")

    @classmethod
    def of(cls, recruiter: Recruiter | None) -> RecruiterType | None:
        """The GraphQL view of a recruiter."""
        if recruiter is None or recruiter.id is None:
            return None
        gid = strawberry.ID(global_id("Recruiter", recruiter.id))
        return cls(id=gid, display_name=recruiter.display_name)


@strawberry.type(name="SalaryRange", description="Yearly salary bounds.")
class SalaryRangeType:
    """Salary bounds."""

    min: int = strawberry.field(description="Lower bound.")
    max: int = strawberry.field(description="Upper bound.")
    currency: str = strawberry.field(description="Currency.")


@strawberry.type(name="Job", description="An opening.")
class JobType(Node):
    """A job; relations load one by one."""

    title: str = strawberry.field(description="Job title.")
    location: str = strawberry.field(description="City or region.")
    skills: list[str] = strawberry.field(description="Skills.")
    salary: SalaryRangeType | None = strawberry.field(description="Salary range.")
    model: strawberry.Private[Job]

    @classmethod
    def of(cls, job: Job | None) -> JobType | None:
        """The GraphQL view of a job."""
        if job is None or job.id is None:
            return None
        pay = job.salary
        salary = SalaryRangeType(min=pay.min, max=pay.max, currency=pay.currency) if pay else None
        return cls(
            id=strawberry.ID(global_id("Job", job.id)),
            title=job.title,
            location=job.location,
            skills=job.skills,
            salary=salary,
            model=job,
        )

    @strawberry.field(description="The company, one query.")
    async def company(self) -> CompanyType | None:
        """One `find_one` per job."""
        return CompanyType.of(await Company.get(self.model.company_id))

    @strawberry.field(description="The newest submissions, one query per job.")
    async def submissions(
        self, first: Annotated[int, strawberry.argument(description="How many.")] = 20
    ) -> SubmissionConnection:
        """One `find` per job."""
        query = {"job_id": self.model.id}
        found = await Submission.find(query).sort(NEWEST_FIRST).limit(first).to_list()
        return SubmissionConnection(nodes=[SubmissionType.of(s) for s in found])


@strawberry.type(name="Candidate", description="A sourced person.")
class CandidateType(Node):
    """A candidate."""

    full_name: str = strawberry.field(description="Full name.")
    headline: str = strawberry.field(description="Headline.")
    location: str = strawberry.field(description="City or region.")
    skills: list[str] = strawberry.field(description="Skills.")
    years_experience: int = strawberry.field(description="Years of experience.")
    model: strawberry.Private[Candidate]

    @classmethod
    def of(cls, candidate: Candidate | None) -> CandidateType | None:
        """The GraphQL view of a candidate."""
        if candidate is None or candidate.id is None:
            return None
        return cls(
            id=strawberry.ID(global_id("Candidate", candidate.id)),
            full_name=candidate.full_name,
            headline=candidate.headline,
            location=candidate.location,
            skills=candidate.skills,
            years_experience=candidate.years_experience,
            model=candidate,
        )

    @strawberry.field(description="The newest submissions, one query.")
    async def submissions(
        self, first: Annotated[int, strawberry.argument(description="How many.")] = 20
    ) -> SubmissionConnection:
        """One `find` per candidate."""
        query = {"candidate_id": self.model.id}
        found = await Submission.find(query).sort(NEWEST_FIRST).limit(first).to_list()
        return SubmissionConnection(nodes=[SubmissionType.of(s) for s in found])


@strawberry.type(name="Submission", description="A candidacy.")
class SubmissionType(Node):
    """A submission; every relation is its own query."""

    stage: Stage = strawberry.field(description="Stage.")
    created_at: datetime = strawberry.field(description="Submitted at.")
    model: strawberry.Private[Submission]

    @classmethod
    def of(cls, submission: Submission) -> SubmissionType:
        """The GraphQL view of a submission."""
        assert submission.id is not None
        return cls(
            id=strawberry.ID(global_id("Submission", submission.id)),
            stage=submission.stage,
            created_at=submission.created_at,
            model=submission,
        )

    @strawberry.field(description="The candidate, one query.")
    async def candidate(self) -> CandidateType | None:
        """One `find_one` per submission."""
        return CandidateType.of(await Candidate.get(self.model.candidate_id))

    @strawberry.field(description="The recruiter, one query.")
    async def recruiter(self) -> RecruiterType | None:
        """One `find_one` per submission."""
        return RecruiterType.of(await Recruiter.get(self.model.recruiter_id))

    @strawberry.field(description="The job, one query.")
    async def job(self) -> JobType | None:
        """One `find_one` per submission."""
        return JobType.of(await Job.get(self.model.job_id))


@strawberry.type(description="A page of submissions.")
class SubmissionConnection:
    """Nodes only."""

    nodes: list[SubmissionType] = strawberry.field(description="The submissions.")


@strawberry.type(description="A page of jobs.")
class JobConnection:
    """Nodes only."""

    nodes: list[JobType] = strawberry.field(description="The jobs.")


@strawberry.input(description="Job filters the scenarios use.")
class JobFilter:
    """Status, text and skills."""

    status: list[JobStatus] | None = strawberry.field(default=None, description="Statuses.")
    text: str | None = strawberry.field(default=None, description="Words.")
    skills_any: list[str] | None = strawberry.field(default=None, description="Any skill.")

    def match(self) -> dict[str, Any]:
        """The MongoDB filter."""
        match: dict[str, Any] = {}
        if self.status:
            match["status"] = {"$in": [status.value for status in self.status]}
        if self.skills_any:
            match["skills"] = {"$in": sorted({s.strip().lower() for s in self.skills_any})}
        if self.text:
            words = [word.lstrip("-") for word in self.text.replace('"', " ").split()]
            match["$text"] = {"$search": " ".join(w for w in words if w)}
        return match


@strawberry.type(description="Root.")
class Query:
    """The fields the scenarios read."""

    @strawberry.field(description="Jobs, filtered and ordered.")
    async def jobs(
        self,
        first: Annotated[int, strawberry.argument(description="How many.")] = 20,
        filter: Annotated[  # noqa: A002 - GraphQL argument name
            JobFilter | None, strawberry.argument(description="Filters.")
        ] = None,
        order_by: Annotated[
            JobOrder, strawberry.argument(description="Order.")
        ] = JobOrder.CREATED_AT_DESC,
    ) -> JobConnection:
        """One `find`, no batching of what follows."""
        match = filter.match() if filter else {}
        jobs = await Job.find(match).sort(JOB_SORTS[order_by]).limit(first).to_list()
        return JobConnection(nodes=[job for job in map(JobType.of, jobs) if job])

    @strawberry.field(description="A candidate by opaque id.")
    async def node(
        self,
        id: Annotated[  # noqa: A002 - Relay's argument name
            strawberry.ID, strawberry.argument(description="Opaque id.")
        ],
    ) -> Node | None:
        """Only candidates: the hot-profile scenario."""
        raw = base64_decode(id)
        type_name, _, hex_id = raw.partition(":")
        if type_name != "Candidate" or not ObjectId.is_valid(hex_id):
            return None
        return CandidateType.of(await Candidate.get(ObjectId(hex_id)))


def base64_decode(value: str) -> str:
    """Undo the opaque id encoding."""
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode(errors="replace")


def build_naive_schema() -> strawberry.Schema:
    """The naive twin schema."""
    return strawberry.Schema(query=Query, types=[CandidateType])
