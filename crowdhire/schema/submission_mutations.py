"""Submission mutations: submitCandidate, moveSubmission, withdrawSubmission."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.submissions import RejectReason, Stage
from crowdhire.resolvers import submissions as submission_resolvers
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    user_errors,
)
from crowdhire.schema.submissions import SubmissionType, submission_after


@strawberry.enum(description="Why submitCandidate changed nothing.")
class SubmitCandidateErrorCode(Enum):
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
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    REJECT_REASON_REQUIRED = "REJECT_REASON_REQUIRED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why withdrawSubmission changed nothing.")
class WithdrawSubmissionErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="SubmitCandidateError", description="A user error of submitCandidate.")
class SubmitCandidateError(UserError[SubmitCandidateErrorCode]):
    pass


@strawberry.type(name="MoveSubmissionError", description="A user error of moveSubmission.")
class MoveSubmissionError(UserError[MoveSubmissionErrorCode]):
    pass


@strawberry.type(name="WithdrawSubmissionError", description="A user error of withdrawSubmission.")
class WithdrawSubmissionError(UserError[WithdrawSubmissionErrorCode]):
    pass


@strawberry.input(description="Which of your candidates to put forward for which open job.")
class SubmitCandidateInput:
    job_id: strawberry.ID = strawberry.field(description="An open job.")
    candidate_id: strawberry.ID = strawberry.field(description="Your candidate, with consent.")
    pitch: str = strawberry.field(default="", description="Why they fit (up to 2,000 chars).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Where the company moves a submission, and why.")
class MoveSubmissionInput:
    id: strawberry.ID = strawberry.field(description="The submission.")
    stage: Stage = strawberry.field(description="The next stage (see the transitions table).")
    note: str = strawberry.field(default="", description="Kept in the history (2,000 chars).")
    reject_reason: RejectReason | None = strawberry.field(
        default=None, description="Required when stage is REJECTED, refused otherwise."
    )
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="The submission the recruiter takes back.")
class WithdrawSubmissionInput:
    id: strawberry.ID = strawberry.field(description="Your submission.")
    note: str = strawberry.field(default="", description="Kept in the history (2,000 chars).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The new submission, or why not.")
class SubmitCandidatePayload:
    submission: SubmissionType | None = strawberry.field(description="The submission.")
    user_errors: list[SubmitCandidateError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The moved submission, or why not.")
class MoveSubmissionPayload:
    submission: SubmissionType | None = strawberry.field(description="The submission.")
    user_errors: list[MoveSubmissionError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The withdrawn submission, or why not.")
class WithdrawSubmissionPayload:
    submission: SubmissionType | None = strawberry.field(description="The submission.")
    user_errors: list[WithdrawSubmissionError] = strawberry.field(description="Input problems.")


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
            lambda: submission_resolvers.submit_candidate(
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
            lambda: submission_resolvers.move_submission(
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
            lambda: submission_resolvers.withdraw_submission(
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
