"""Submission type, its filter input, orderings and the root list."""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.submissions import RejectReason, Stage, Submission
from crowdhire.resolvers import candidates as candidate_resolvers
from crowdhire.resolvers import jobs as job_resolvers
from crowdhire.resolvers import recruiters as recruiter_resolvers
from crowdhire.resolvers import submissions as submission_resolvers
from crowdhire.resolvers.argument_rules import capped_list, page_request
from crowdhire.resolvers.transactions import Outcome
from crowdhire.schema.candidates import CandidateType, unread_candidate_fields
from crowdhire.schema.connections import connection_of, register_node_view
from crowdhire.schema.ids import Node, encode_global_id, optional_object_id
from crowdhire.schema.jobs import JobType
from crowdhire.schema.pagination import After, Before, Connection, First, Last
from crowdhire.schema.payloads import shown_after
from crowdhire.schema.recruiters import RecruiterType
from crowdhire.schema.relations import (
    MaybeLater,
    distinct_ids,
    now_or_later,
    related,
    selected_node_fields,
    selected_node_subfields,
    selected_subfields,
)
from crowdhire.schema.stage_history import StageChangeType

strawberry.enum(RejectReason, description="Why a company rejected a submission.")


if TYPE_CHECKING:
    from crowdhire.schema.matching import MatchType


@strawberry.enum(description="Orderings of the submissions list.")
class SubmissionOrder(Enum):
    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"


@strawberry.type(name="Submission", description="A candidate put forward for a job.")
class SubmissionType(Node):
    """One candidacy and its pipeline state."""

    stage: Stage = strawberry.field(description="Current pipeline stage.")
    reject_reason: RejectReason | None = strawberry.field(description="Set when rejected.")
    pitch: str = strawberry.field(description="Why the recruiter submitted this candidate.")
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
            created_at=submission.created_at,
            updated_at=submission.updated_at,
            model=submission,
        )

    @strawberry.field(
        description="How well the candidate fits the job (advice only); null when the person"
        " opted out of automated ranking."
    )
    async def match(
        self, info: Info
    ) -> Annotated[MatchType, strawberry.lazy("crowdhire.schema.matching")] | None:
        """Computed on read from the current profiles and vectors."""
        from crowdhire.resolvers.matching import model_version, submission_match  # noqa: PLC0415
        from crowdhire.schema.matching import MatchType  # noqa: PLC0415 - cycle

        found = await submission_match(info.context, self.model)
        return None if found is None else MatchType.from_score(found, model_version(info.context))

    @strawberry.field(description="Every move, oldest first.")
    def history(self) -> list[StageChangeType]:
        """Built only when asked for (a pipeline page rarely shows it)."""
        return [StageChangeType.from_model(change, self.model) for change in self.model.history]

    # Relations answer at once when the connection prefetched them (`submission_connection`).
    @strawberry.field(description="The job applied to.", graphql_type=JobType | None)
    def job(self, info: Info) -> MaybeLater[JobType | None]:
        """Through the batched, cached job loader."""
        now, by_id = job_resolvers.job_now, job_resolvers.job_by_id
        return related(info.context, self.model.job_id, now, by_id, JobType.from_model)

    @strawberry.field(description="The candidate submitted.", graphql_type=CandidateType | None)
    def candidate(self, info: Info) -> MaybeLater[CandidateType | None]:
        """Through the batched, cached candidate loader, without what the selection never reads."""
        context, candidate_id = info.context, self.model.candidate_id
        omit = unread_candidate_fields(info, selected_subfields(info))
        now = candidate_resolvers.candidate_now(context, candidate_id, omit)
        later = lambda: candidate_resolvers.candidate_by_id(context, candidate_id, omit)  # noqa: E731
        return now_or_later(now, later, CandidateType.from_model)

    @strawberry.field(
        description="The recruiter who made the submission.", graphql_type=RecruiterType | None
    )
    def recruiter(self, info: Info) -> MaybeLater[RecruiterType | None]:
        """Through the batched, cached recruiter loader."""
        recruiter_id, convert = self.model.recruiter_id, RecruiterType.from_model
        now, by_id = recruiter_resolvers.recruiter_now, recruiter_resolvers.recruiter_by_id
        return related(info.context, recruiter_id, now, by_id, convert)


async def prefetch_submission_relations(info: Info, items: list[Submission]) -> None:
    """The relations a page of submissions selects, one batch each."""
    context = info.context
    selected = selected_node_fields(info)
    prefetches = []
    if "job" in selected:
        prefetches.append(
            job_resolvers.prefetch_jobs(context, distinct_ids(s.job_id for s in items))
        )
    if "candidate" in selected:
        ids = distinct_ids(s.candidate_id for s in items)
        # what each node's `candidate` resolver will ask for (the same unless aliased apart)
        omit = unread_candidate_fields(info, selected_node_subfields(info, "candidate"))
        prefetches.append(candidate_resolvers.prefetch_candidates(context, ids, omit))
    if "recruiter" in selected:
        ids = distinct_ids(s.recruiter_id for s in items)
        prefetches.append(recruiter_resolvers.prefetch_recruiters(context, ids))
    if prefetches:
        await asyncio.gather(*prefetches)


register_node_view(
    Submission,
    SubmissionType.from_model,
    prefetch_submission_relations,
    # person_keys: hashes that keep a person to one submission per job, never shown
    sole_readers={"history": "history", "pitch": "pitch", "person_keys": None},
)


@strawberry.input(description="Filters for the submissions list; all given conditions must hold.")
class SubmissionFilter:
    """Typed submission filters."""

    stage: list[Stage] | None = strawberry.field(default=None, description="Any of these stages.")
    job_id: strawberry.ID | None = strawberry.field(default=None, description="For this job.")
    candidate_id: strawberry.ID | None = strawberry.field(
        default=None, description="Of this candidate."
    )

    def criteria(self) -> submission_resolvers.SubmissionCriteria:
        """The resolver-level criteria; invalid ids are named errors."""
        return submission_resolvers.SubmissionCriteria(
            stages=capped_list(self.stage, "filter.stage"),
            job_id=optional_object_id(self.job_id, "Job", argument="filter.jobId"),
            candidate_id=optional_object_id(
                self.candidate_id, "Candidate", argument="filter.candidateId"
            ),
        )


async def resolve_submissions(
    info: Info,
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
    criteria = filter.criteria() if filter else submission_resolvers.SubmissionCriteria()
    request = page_request(first, after, last, before)
    page = await submission_resolvers.list_submissions(
        info.context, criteria, order_by.value, request
    )
    count = lambda: submission_resolvers.count_submissions(info.context, criteria)  # noqa: E731
    return await connection_of(info, Submission, page, count)


async def submission_after(info: Info, outcome: Outcome) -> SubmissionType | None:
    """The outcome's submission as the viewer may now see it."""
    load = partial(submission_resolvers.submission_by_id, info.context)
    return await shown_after(outcome, "submission", load, SubmissionType.from_model)
