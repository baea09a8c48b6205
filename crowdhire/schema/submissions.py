"""Submission type, its filter input, orderings and the root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.submissions import RejectReason, Stage, StageChange, Submission
from crowdhire.resolvers import candidates as candidate_rules
from crowdhire.resolvers import jobs as job_rules
from crowdhire.resolvers import recruiters as recruiter_rules
from crowdhire.resolvers import submissions as submission_rules
from crowdhire.resolvers.common import capped_list, page_request
from crowdhire.resolvers.mutations import Outcome
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.ids import Node, encode_global_id, optional_object_id
from crowdhire.schema.jobs import JobType
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    user_errors,
)
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

    @strawberry.field(description="Every move, oldest first.")
    def history(self) -> list[StageChangeType]:
        """Built only when asked for (a pipeline page rarely shows it)."""
        return [StageChangeType.from_model(change) for change in self.model.history]

    @strawberry.field(description="The job applied to.")
    async def job(self, info: Info) -> JobType | None:
        """Loaded through the batched, cached job loader."""
        job = await job_rules.job_by_id(info.context, self.model.job_id)
        return JobType.from_model(job) if job else None

    @strawberry.field(description="The candidate submitted.")
    async def candidate(self, info: Info) -> CandidateType | None:
        """Loaded through the batched, cached candidate loader."""
        found = await candidate_rules.candidate_by_id(info.context, self.model.candidate_id)
        return CandidateType.from_model(found) if found else None

    @strawberry.field(description="The recruiter who made the submission.")
    async def recruiter(self, info: Info) -> RecruiterType | None:
        """Loaded through the batched, cached recruiter loader."""
        found = await recruiter_rules.recruiter_by_id(info.context, self.model.recruiter_id)
        return RecruiterType.from_model(found) if found else None


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
    criteria = filter.criteria() if filter else submission_rules.SubmissionCriteria()
    request = page_request(first, after, last, before)
    page = await submission_rules.list_submissions(info.context, criteria, order_by.value, request)
    return connection_from(
        page,
        SubmissionType.from_model,
        lambda: submission_rules.count_submissions(info.context, criteria),
    )


# --- mutations: submitCandidate, moveSubmission, withdrawSubmission ------------------------------


@strawberry.enum(description="Why submitCandidate changed nothing.")
class SubmitCandidateErrorCode(Enum):
    """Codes of submitCandidate's user errors."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    JOB_NOT_FOUND = "JOB_NOT_FOUND"
    JOB_NOT_OPEN = "JOB_NOT_OPEN"
    CANDIDATE_NOT_FOUND = "CANDIDATE_NOT_FOUND"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    ALREADY_SUBMITTED = "ALREADY_SUBMITTED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why moveSubmission changed nothing.")
class MoveSubmissionErrorCode(Enum):
    """Codes of moveSubmission's user errors."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    REJECT_REASON_REQUIRED = "REJECT_REASON_REQUIRED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why withdrawSubmission changed nothing.")
class WithdrawSubmissionErrorCode(Enum):
    """Codes of withdrawSubmission's user errors."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="SubmitCandidateError", description="A user error of submitCandidate.")
class SubmitCandidateError(UserError[SubmitCandidateErrorCode]):
    """Field path, code and message."""


@strawberry.type(name="MoveSubmissionError", description="A user error of moveSubmission.")
class MoveSubmissionError(UserError[MoveSubmissionErrorCode]):
    """Field path, code and message."""


@strawberry.type(name="WithdrawSubmissionError", description="A user error of withdrawSubmission.")
class WithdrawSubmissionError(UserError[WithdrawSubmissionErrorCode]):
    """Field path, code and message."""


@strawberry.input(description="Which of your candidates to put forward for which open job.")
class SubmitCandidateInput:
    """submitCandidate's input."""

    job_id: strawberry.ID = strawberry.field(description="An open job.")
    candidate_id: strawberry.ID = strawberry.field(description="Your candidate, with consent.")
    pitch: str = strawberry.field(default="", description="Why they fit (up to 2,000 chars).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Where the company moves a submission, and why.")
class MoveSubmissionInput:
    """moveSubmission's input."""

    id: strawberry.ID = strawberry.field(description="The submission.")
    stage: Stage = strawberry.field(description="The next stage (see the transitions table).")
    note: str = strawberry.field(default="", description="Kept in the history (2,000 chars).")
    reject_reason: RejectReason | None = strawberry.field(
        default=None, description="Required when stage is REJECTED, refused otherwise."
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="The submission the recruiter takes back.")
class WithdrawSubmissionInput:
    """withdrawSubmission's input."""

    id: strawberry.ID = strawberry.field(description="Your submission.")
    note: str = strawberry.field(default="", description="Kept in the history (2,000 chars).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The new submission, or why not.")
class SubmitCandidatePayload:
    """submitCandidate's result."""

    submission: SubmissionType | None = strawberry.field(description="The submission.")
    user_errors: list[SubmitCandidateError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The moved submission, or why not.")
class MoveSubmissionPayload:
    """moveSubmission's result."""

    submission: SubmissionType | None = strawberry.field(description="The submission.")
    user_errors: list[MoveSubmissionError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The withdrawn submission, or why not.")
class WithdrawSubmissionPayload:
    """withdrawSubmission's result."""

    submission: SubmissionType | None = strawberry.field(description="The submission.")
    user_errors: list[WithdrawSubmissionError] = strawberry.field(description="Input problems.")


async def submission_after(info: Info, outcome: Outcome) -> SubmissionType | None:
    """The outcome's submission as the viewer may now see it."""
    submission_id = outcome.object_id("submission")
    if submission_id is None:
        return None
    found = await submission_rules.submission_by_id(info.context, submission_id)
    return SubmissionType.from_model(found) if found else None


@strawberry.type(description="Submission mutations.")
class SubmissionMutations:
    """The pipeline: recruiters submit and withdraw, companies move."""

    @strawberry.mutation(description="Put your consenting candidate forward for an open job.")
    async def submit_candidate(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            SubmitCandidateInput, strawberry.argument(description="Job, candidate and pitch.")
        ],
    ) -> SubmitCandidatePayload:
        """One submission per job and person: the first valid submitter owns the candidacy."""
        outcome = await guarded(
            lambda: submission_rules.submit_candidate(
                info.context,
                input_object_id(input.job_id, "Job", "jobId"),
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.pitch,
                input.client_mutation_id,
            )
        )
        return SubmitCandidatePayload(
            submission=await submission_after(info, outcome),
            user_errors=user_errors(outcome, SubmitCandidateErrorCode, SubmitCandidateError),
        )

    @strawberry.mutation(description="Move a submission along the pipeline (the job's company).")
    async def move_submission(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            MoveSubmissionInput, strawberry.argument(description="Submission, stage and note.")
        ],
    ) -> MoveSubmissionPayload:
        """Only allowed transitions; every move is appended to the history."""
        outcome = await guarded(
            lambda: submission_rules.move_submission(
                info.context,
                input_object_id(input.id, "Submission", "id"),
                input.stage,
                input.note,
                input.reject_reason,
                input.client_mutation_id,
            )
        )
        return MoveSubmissionPayload(
            submission=await submission_after(info, outcome),
            user_errors=user_errors(outcome, MoveSubmissionErrorCode, MoveSubmissionError),
        )

    @strawberry.mutation(description="Withdraw your submission (not from a final stage).")
    async def withdraw_submission(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            WithdrawSubmissionInput, strawberry.argument(description="Submission and note.")
        ],
    ) -> WithdrawSubmissionPayload:
        """Moves the submission to WITHDRAWN and records it in the history."""
        outcome = await guarded(
            lambda: submission_rules.withdraw_submission(
                info.context,
                input_object_id(input.id, "Submission", "id"),
                input.note,
                input.client_mutation_id,
            )
        )
        return WithdrawSubmissionPayload(
            submission=await submission_after(info, outcome),
            user_errors=user_errors(outcome, WithdrawSubmissionErrorCode, WithdrawSubmissionError),
        )
