"""The fee payment mutations: pay a placement fee, record a departure refund."""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.resolvers import payments as payment_resolvers
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


@strawberry.enum(description="Why createPlacementFeePayment changed nothing.")
class CreatePlacementFeePaymentErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    ALREADY_PAID = "ALREADY_PAID"
    NOTHING_TO_PAY = "NOTHING_TO_PAY"
    PAYMENT_IN_PROGRESS = "PAYMENT_IN_PROGRESS"
    PAYMENTS_UNAVAILABLE = "PAYMENTS_UNAVAILABLE"
    PAYMENT_PROVIDER_ERROR = "PAYMENT_PROVIDER_ERROR"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.enum(description="Why refundPlacementFee changed nothing.")
class RefundPlacementFeeErrorCode(Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    NO_DEPARTURE = "NO_DEPARTURE"
    NOT_PAID = "NOT_PAID"
    ALREADY_REFUNDED = "ALREADY_REFUNDED"
    NOTHING_TO_REFUND = "NOTHING_TO_REFUND"
    REFUND_EXCEEDS_PAYMENT = "REFUND_EXCEEDS_PAYMENT"
    PAYMENTS_UNAVAILABLE = "PAYMENTS_UNAVAILABLE"
    PAYMENT_PROVIDER_ERROR = "PAYMENT_PROVIDER_ERROR"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(
    name="CreatePlacementFeePaymentError", description="A user error of createPlacementFeePayment."
)
class CreatePlacementFeePaymentError(UserError[CreatePlacementFeePaymentErrorCode]):
    pass


@strawberry.type(name="RefundPlacementFeeError", description="A user error of refundPlacementFee.")
class RefundPlacementFeeError(UserError[RefundPlacementFeeErrorCode]):
    pass


@strawberry.input(description="Which placement's fee to pay (the amount is always the fee).")
class CreatePlacementFeePaymentInput:
    placement_id: strawberry.ID = strawberry.field(description="The placement.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="Which placement's fee to refund (the amount is the refund due).")
class RefundPlacementFeeInput:
    placement_id: strawberry.ID = strawberry.field(description="The placement.")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="The placement being paid and what the payment page needs.")
class CreatePlacementFeePaymentPayload:
    placement: PlacementType | None = strawberry.field(description="The placement, processing.")
    client_secret: str | None = strawberry.field(
        description="The PaymentIntent's client secret for Stripe Elements (the paying company's"
        " members only; null for everyone else)."
    )
    user_errors: list[CreatePlacementFeePaymentError] = strawberry.field(
        description="Input problems."
    )


@strawberry.type(description="The placement after its refund, or why not.")
class RefundPlacementFeePayload:
    placement: PlacementType | None = strawberry.field(description="The placement, refunded.")
    user_errors: list[RefundPlacementFeeError] = strawberry.field(description="Input problems.")


async def _placement(info: Info, outcome: Outcome) -> PlacementType | None:
    load = partial(placement_resolvers.placement_by_id, info.context)
    return await shown_after(outcome, "placement", load, PlacementType.from_model)


@strawberry.type(description="Placement fee mutations.")
class PaymentMutations:
    """Paying and refunding placement fees through Stripe."""

    @strawberry.mutation(
        description="Start or resume paying a placement's fee (company owners and admins)."
    )
    async def create_placement_fee_payment(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CreatePlacementFeePaymentInput, strawberry.argument(description="Which placement.")
        ],
    ) -> CreatePlacementFeePaymentPayload:
        """Repeating it returns the same PaymentIntent while the fee is unpaid."""
        client_secret: str | None = None

        async def run() -> Outcome:
            nonlocal client_secret
            start = await payment_resolvers.create_placement_fee_payment(
                info.context,
                input_object_id(input.placement_id, "Placement", "placementId"),
                input.client_mutation_id,
            )
            client_secret = start.client_secret
            return start.outcome

        outcome = await guarded(run)
        return CreatePlacementFeePaymentPayload(
            placement=await _placement(info, outcome),
            client_secret=client_secret,
            user_errors=user_errors(
                outcome, CreatePlacementFeePaymentErrorCode, CreatePlacementFeePaymentError
            ),
        )

    @strawberry.mutation(description="Refund the prorated fee of an early departure (admins).")
    async def refund_placement_fee(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            RefundPlacementFeeInput, strawberry.argument(description="Which placement.")
        ],
    ) -> RefundPlacementFeePayload:
        """Refunds the amount recordPlacementDeparture computed, once."""
        outcome = await guarded(
            lambda: payment_resolvers.refund_placement_fee(
                info.context,
                input_object_id(input.placement_id, "Placement", "placementId"),
                input.client_mutation_id,
            )
        )
        return RefundPlacementFeePayload(
            placement=await _placement(info, outcome),
            user_errors=user_errors(outcome, RefundPlacementFeeErrorCode, RefundPlacementFeeError),
        )
