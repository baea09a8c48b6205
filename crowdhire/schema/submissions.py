"""Submission type, its filter input, orderings and the root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.submissions import RejectReason, Stage, StageChange, Submission
from crowdhire.resolvers import submissions as submission_rules
from crowdhire.resolvers.common import capped_list, page_request
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.ids import Node, encode_global_id, optional_object_id
from crowdhire.schema.jobs import JobType
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.recruiters import RecruiterType

strawberry.enum(RejectReason, description="Why a company rejected a submission.")


@strawberry.enum(description="Orderings of the submissions list.")
class SubmissionOrder(Enum):
    """Indexed sort orders; ties break on id."""

    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"


@strawberry.type(name="StageChange", description="One recorded move through the pipeline.")
class StageChangeType:
    """A history entry."""

    from_stage: Stage | None = strawberry.field(description="Stage before (null at creation).")
    to_stage: Stage = strawberry.field(description="Stage after.")
    at: datetime = strawberry.field(description="When it happened (UTC).")
    actor: str = strawberry.field(description="Who made the move (Auth0 subject).")
    note: str = strawberry.field(description="Note recorded with the move.")

    @classmethod
    def from_model(cls, change: StageChange) -> StageChangeType:
        """The GraphQL view of a history entry."""
        return cls(
            from_stage=change.from_stage,
            to_stage=change.to_stage,
            at=change.at,
            actor=change.actor,
            note=change.note,
        )


@strawberry.type(name="Submission", description="A candidate put forward for a job.")
class SubmissionType(Node):
    """One candidacy and its pipeline state."""

    stage: Stage = strawberry.field(description="Current pipeline stage.")
    reject_reason: RejectReason | None = strawberry.field(description="Set when rejected.")
    pitch: str = strawberry.field(description="Why the recruiter submitted this candidate.")
    history: list[StageChangeType] = strawberry.field(description="Every move, oldest first.")
    created_at: datetime = strawberry.field(description="When it was submitted (UTC).")
    updated_at: datetime = strawberry.field(description="Last change (UTC).")
    model: strawberry.Private[Submission]

    @classmethod
    def from_model(cls, submission: Submission) -> SubmissionType:
        """The GraphQL view of a submission document."""
        assert submission.id is not None
        return cls(
            id=encode_global_id("Submission", submission.id),
            stage=submission.stage,
            reject_reason=submission.reject_reason,
            pitch=submission.pitch,
            history=[StageChangeType.from_model(change) for change in submission.history],
            created_at=submission.created_at,
            updated_at=submission.updated_at,
            model=submission,
        )

    @strawberry.field(description="The job applied to.")
    async def job(self, info: Info) -> JobType | None:
        """Loaded through the batched, cached job loader."""
        job = await info.context.loaders.job_by_id.load(self.model.job_id)
        return JobType.from_model(job) if job else None

    @strawberry.field(description="The candidate submitted.")
    async def candidate(self, info: Info) -> CandidateType | None:
        """Loaded through the batched, cached candidate loader."""
        candidate = await info.context.loaders.candidate_by_id.load(self.model.candidate_id)
        return CandidateType.from_model(candidate) if candidate else None

    @strawberry.field(description="The recruiter who made the submission.")
    async def recruiter(self, info: Info) -> RecruiterType | None:
        """Loaded through the batched, cached recruiter loader."""
        recruiter = await info.context.loaders.recruiter_by_id.load(self.model.recruiter_id)
        return RecruiterType.from_model(recruiter) if recruiter else None


@strawberry.input(description="Filters for the submissions list; all given conditions must hold.")
class SubmissionFilter:
    """Typed submission filters."""

    stage: list[Stage] | None = strawberry.field(default=None, description="Any of these stages.")
    job_id: strawberry.ID | None = strawberry.field(default=None, description="For this job.")
    candidate_id: strawberry.ID | None = strawberry.field(
        default=None, description="Of this candidate."
    )

    def criteria(self) -> submission_rules.SubmissionCriteria:
        """The resolver-level criteria; invalid ids are named errors."""
        return submission_rules.SubmissionCriteria(
            stages=capped_list(self.stage, "filter.stage"),
            job_id=optional_object_id(self.job_id, "Job", argument="filter.jobId"),
            candidate_id=optional_object_id(
                self.candidate_id, "Candidate", argument="filter.candidateId"
            ),
        )


async def resolve_submissions(
    filter: Annotated[  # noqa: A002 - GraphQL argument name
        SubmissionFilter | None,
        strawberry.argument(description="Conditions submissions must meet."),
    ] = None,
    order_by: Annotated[
        SubmissionOrder, strawberry.argument(description="Sort order (indexed fields only).")
    ] = SubmissionOrder.CREATED_AT_DESC,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[SubmissionType]:
    """Root list of submissions."""
    criteria = filter.criteria() if filter else submission_rules.SubmissionCriteria()
    request = page_request(first, after, last, before)
    page = await submission_rules.list_submissions(criteria, order_by.value, request)
    return connection_from(
        page, SubmissionType.from_model, lambda: submission_rules.count_submissions(criteria)
    )
