"""Job mutations: createJob, updateJob, publishJob, pauseJob, closeJob."""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Annotated, Any, TypeVar

import strawberry

from crowdhire.context import Info
from crowdhire.models.jobs import JobStatus
from crowdhire.resolvers import job_mutations as rules
from crowdhire.resolvers import jobs as job_resolvers
from crowdhire.resolvers.transactions import Outcome
from crowdhire.schema.job_inputs import CreateJobInput, UpdateJobInput
from crowdhire.schema.jobs import JobType
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    shown_after,
    user_errors,
)

C = TypeVar("C", bound=Enum)
E = TypeVar("E", bound="UserError[Any]")


@strawberry.enum(description="Why createJob changed nothing.")
class CreateJobErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why updateJob changed nothing.")
class UpdateJobErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    FEE_TERMS_LOCKED = "FEE_TERMS_LOCKED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why publishJob changed nothing.")
class PublishJobErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why pauseJob changed nothing.")
class PauseJobErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why closeJob changed nothing.")
class CloseJobErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="CreateJobError", description="A user error of createJob.")
class CreateJobError(UserError[CreateJobErrorCode]):
    pass


@strawberry.type(name="UpdateJobError", description="A user error of updateJob.")
class UpdateJobError(UserError[UpdateJobErrorCode]):
    pass


@strawberry.type(name="PublishJobError", description="A user error of publishJob.")
class PublishJobError(UserError[PublishJobErrorCode]):
    pass


@strawberry.type(name="PauseJobError", description="A user error of pauseJob.")
class PauseJobError(UserError[PauseJobErrorCode]):
    pass


@strawberry.type(name="CloseJobError", description="A user error of closeJob.")
class CloseJobError(UserError[CloseJobErrorCode]):
    pass


@strawberry.input(description="The draft job to open to recruiters.")
class PublishJobInput:
    job_id: strawberry.ID = strawberry.field(description="The job (DRAFT or PAUSED).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="The open job to pause.")
class PauseJobInput:
    job_id: strawberry.ID = strawberry.field(description="The job (OPEN).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="The job to close for good.")
class CloseJobInput:
    job_id: strawberry.ID = strawberry.field(description="The job (OPEN or PAUSED).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The new draft job, or why not.")
class CreateJobPayload:
    job: JobType | None = strawberry.field(description="The job created (DRAFT).")
    user_errors: list[CreateJobError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The job after updateJob, or why not.")
class UpdateJobPayload:
    job: JobType | None = strawberry.field(description="The job as it is now.")
    user_errors: list[UpdateJobError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The job after publishJob, or why not.")
class PublishJobPayload:
    job: JobType | None = strawberry.field(description="The job, now OPEN.")
    user_errors: list[PublishJobError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The job after pauseJob, or why not.")
class PauseJobPayload:
    job: JobType | None = strawberry.field(description="The job, now PAUSED.")
    user_errors: list[PauseJobError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The job after closeJob, or why not.")
class CloseJobPayload:
    job: JobType | None = strawberry.field(description="The job, now CLOSED.")
    user_errors: list[CloseJobError] = strawberry.field(description="Input problems.")


async def _job(info: Info, outcome: Outcome) -> JobType | None:
    load = partial(job_resolvers.job_by_id, info.context)
    return await shown_after(outcome, "job", load, JobType.from_model)


async def _move(
    info: Info, job_id: str, target: JobStatus, client_mutation_id: str | None
) -> Outcome:
    return await guarded(
        lambda: rules.move_job(
            info.context, input_object_id(job_id, "Job", "jobId"), target, client_mutation_id
        )
    )


async def _payload(
    info: Info, outcome: Outcome, codes: type[C], error: type[E]
) -> tuple[JobType | None, list[E]]:
    return await _job(info, outcome), user_errors(outcome, codes, error)


@strawberry.type(description="Job mutations.")
class JobMutations:
    """Posting jobs and moving them through their status machine."""

    @strawberry.mutation(description="Post a job for a company you belong to; it starts as DRAFT.")
    async def create_job(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CreateJobInput, strawberry.argument(description="The company and the job.")
        ],
    ) -> CreateJobPayload:
        """Company members and admins."""
        outcome = await guarded(
            lambda: rules.create_job(
                info.context,
                input_object_id(input.company_id, "Company", "companyId"),
                input.plain(),
                input.client_mutation_id,
            )
        )
        job, errors = await _payload(info, outcome, CreateJobErrorCode, CreateJobError)
        return CreateJobPayload(job=job, user_errors=errors)

    @strawberry.mutation(description="Change some of a job's fields (company members and admins).")
    async def update_job(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            UpdateJobInput, strawberry.argument(description="The job and its changes.")
        ],
    ) -> UpdateJobPayload:
        """Fee terms lock once a candidate was submitted, except for admins."""
        outcome = await guarded(
            lambda: rules.update_job(
                info.context,
                input_object_id(input.job_id, "Job", "jobId"),
                input.plain(),
                input.client_mutation_id,
            )
        )
        job, errors = await _payload(info, outcome, UpdateJobErrorCode, UpdateJobError)
        return UpdateJobPayload(job=job, user_errors=errors)

    @strawberry.mutation(description="Open a DRAFT or PAUSED job to recruiters.")
    async def publish_job(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            PublishJobInput, strawberry.argument(description="The job to open.")
        ],
    ) -> PublishJobPayload:
        """Sets openedAt the first time; other moves are ILLEGAL_TRANSITION."""
        outcome = await _move(info, input.job_id, JobStatus.OPEN, input.client_mutation_id)
        job, errors = await _payload(info, outcome, PublishJobErrorCode, PublishJobError)
        return PublishJobPayload(job=job, user_errors=errors)

    @strawberry.mutation(description="Pause an OPEN job: no new submissions until republished.")
    async def pause_job(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            PauseJobInput, strawberry.argument(description="The job to pause.")
        ],
    ) -> PauseJobPayload:
        """Only OPEN jobs can pause."""
        outcome = await _move(info, input.job_id, JobStatus.PAUSED, input.client_mutation_id)
        job, errors = await _payload(info, outcome, PauseJobErrorCode, PauseJobError)
        return PauseJobPayload(job=job, user_errors=errors)

    @strawberry.mutation(description="Close an OPEN or PAUSED job for good.")
    async def close_job(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CloseJobInput, strawberry.argument(description="The job to close.")
        ],
    ) -> CloseJobPayload:
        """CLOSED is final."""
        outcome = await _move(info, input.job_id, JobStatus.CLOSED, input.client_mutation_id)
        job, errors = await _payload(info, outcome, CloseJobErrorCode, CloseJobError)
        return CloseJobPayload(job=job, user_errors=errors)
