"""Hire and departure mutations: hireSubmission, recordPlacementDeparture."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from functools import partial
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.resolvers import hires as hire_resolvers
from crowdhire.resolvers import placements as placement_resolvers
from crowdhire.resolvers.transactions import Outcome
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    shown_after,
    user_errors,
)
from crowdhire.schema.placements import PlacementType
from crowdhire.schema.submissions import SubmissionType, submission_after


@strawberry.enum(description="Why hireSubmission changed nothing.")
class HireSubmissionErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    NO_OPENINGS_LEFT = "NO_OPENINGS_LEFT"
    JOB_CLOSED = "JOB_CLOSED"
    ALREADY_HIRED = "ALREADY_HIRED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why recordPlacementDeparture changed nothing.")
class RecordPlacementDepartureErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    OUTSIDE_GUARANTEE = "OUTSIDE_GUARANTEE"
    DEPARTURE_ALREADY_RECORDED = "DEPARTURE_ALREADY_RECORDED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="HireSubmissionError", description="A user error of hireSubmission.")
class HireSubmissionError(UserError[HireSubmissionErrorCode]):
    pass


@strawberry.type(
    name="RecordPlacementDepartureError",
    description="A user error of recordPlacementDeparture.",
)
class RecordPlacementDepartureError(UserError[RecordPlacementDepartureErrorCode]):
    pass


@strawberry.input(description="A yearly salary in minor units.")
class AnnualSalaryInput:
    """Money in: integer minor units and an ISO 4217 code."""

    amount: int = strawberry.field(description="Amount in minor units (cents), positive.")
    currency: str = strawberry.field(description="ISO 4217 code; the job's salary currency.")


@strawberry.input(description="The hire: which submission, when they start, for what salary.")
class HireSubmissionInput:
    id: strawberry.ID = strawberry.field(description="A submission at OFFER.")
    start_date: dt.date = strawberry.field(description="First working day.")
    annual_salary: AnnualSalaryInput = strawberry.field(description="Agreed first-year salary.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="A hire who left, and when.")
class RecordPlacementDepartureInput:
    placement_id: strawberry.ID = strawberry.field(description="The placement.")
    date: dt.date = strawberry.field(description="The hire's last day (inside the guarantee).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The hired submission and its placement, or why not.")
class HireSubmissionPayload:
    submission: SubmissionType | None = strawberry.field(description="The submission (HIRED).")
    placement: PlacementType | None = strawberry.field(description="The new placement.")
    user_errors: list[HireSubmissionError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The placement with its departure and refund, or why not.")
class RecordPlacementDeparturePayload:
    placement: PlacementType | None = strawberry.field(description="The placement.")
    user_errors: list[RecordPlacementDepartureError] = strawberry.field(
        description="Input problems."
    )


async def _placement_after(info: Info, outcome: Outcome) -> PlacementType | None:
    load = partial(placement_resolvers.placement_by_id, info.context)
    return await shown_after(outcome, "placement", load, PlacementType.from_model)


@strawberry.type(description="Hire mutations.")
class HireMutations:
    """Hires and early departures."""

    @strawberry.mutation(description="Hire a submission at OFFER: creates its placement.")
    async def hire_submission(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            HireSubmissionInput, strawberry.argument(description="Submission, start, salary.")
        ],
    ) -> HireSubmissionPayload:
        """Fee, recruiter share and guarantee come from the job's fee terms."""
        salary = hire_resolvers.SalaryInput(
            input.annual_salary.amount, input.annual_salary.currency
        )
        outcome = await guarded(
            lambda: hire_resolvers.hire_submission(
                info.context,
                input_object_id(input.id, "Submission", "id"),
                input.start_date,
                salary,
                input.client_mutation_id,
            )
        )
        return HireSubmissionPayload(
            submission=await submission_after(info, outcome),
            placement=await _placement_after(info, outcome),
            user_errors=user_errors(outcome, HireSubmissionErrorCode, HireSubmissionError),
        )

    @strawberry.mutation(
        description="Record that a hire left; inside the guarantee a refund is due."
    )
    async def record_placement_departure(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RecordPlacementDepartureInput,
            strawberry.argument(description="Placement and last day."),
        ],
    ) -> RecordPlacementDeparturePayload:
        """Stores the departure date and the prorated refund due (see README)."""
        outcome = await guarded(
            lambda: hire_resolvers.record_placement_departure(
                info.context,
                input_object_id(input.placement_id, "Placement", "placementId"),
                input.date,
                input.client_mutation_id,
            )
        )
        return RecordPlacementDeparturePayload(
            placement=await _placement_after(info, outcome),
            user_errors=user_errors(
                outcome, RecordPlacementDepartureErrorCode, RecordPlacementDepartureError
            ),
        )
