"""Placement payments and recruiter earnings as clients see them (nothing card-like here)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from crowdhire.context import Info
from crowdhire.models.placements import PaymentStatus, Placement
from crowdhire.models.recruiters import Recruiter
from crowdhire.resolvers import payments as payment_resolvers
from crowdhire.schema.common import MoneyType

strawberry.enum(PaymentStatus, description="Where the company's fee payment stands.")


@strawberry.type(name="PaymentRefund", description="A refund of (part of) a paid fee.")
class PaymentRefundType:
    """One refund."""

    amount: MoneyType = strawberry.field(description="Amount refunded to the company.")
    created_at: datetime = strawberry.field(description="When the refund was made (UTC).")


@strawberry.type(name="PlacementPayment", description="The company's payment of a placement fee.")
class PlacementPaymentType:
    """Status and amounts of a fee payment; card details never reach crowdhire."""

    status: PaymentStatus = strawberry.field(description="Where the payment stands.")
    amount: MoneyType = strawberry.field(description="The amount charged: the placement fee.")
    paid_at: datetime | None = strawberry.field(description="When the payment succeeded (UTC).")
    amount_refunded: MoneyType = strawberry.field(description="Total refunded so far.")
    refunds: list[PaymentRefundType] = strawberry.field(description="Refunds, oldest first.")

    @classmethod
    def from_view(cls, view: payment_resolvers.PaymentView) -> PlacementPaymentType:
        """The GraphQL view of a placement's payment."""
        refunds = [
            PaymentRefundType(
                amount=MoneyType(amount=refund.amount, currency=view.currency),
                created_at=refund.created_at,
            )
            for refund in view.refunds
        ]
        return cls(
            status=view.status,
            amount=MoneyType(amount=view.amount, currency=view.currency),
            paid_at=view.paid_at,
            amount_refunded=MoneyType(amount=view.amount_refunded, currency=view.currency),
            refunds=refunds,
        )


async def resolve_payment(info: Info, placement: Placement) -> PlacementPaymentType:
    """`Placement.payment` (the placement was already checked as visible)."""
    view = await payment_resolvers.payment_of(info.context, placement)
    return PlacementPaymentType.from_view(view)


@strawberry.type(name="RecruiterEarnings", description="A recruiter's fee shares in one currency.")
class RecruiterEarningsType:
    """Shares in minor units."""

    currency: str = strawberry.field(description="ISO 4217 currency code.")
    pending: int = strawberry.field(description="Share of fees not paid yet (minor units).")
    earned: int = strawberry.field(description="Share of fees the companies paid (minor units).")
    reversed: int = strawberry.field(description="Share of fees refunded again (minor units).")


async def resolve_earnings(info: Info, recruiter: Recruiter) -> list[RecruiterEarningsType]:
    """`Recruiter.earnings`: FORBIDDEN to anyone but the recruiter and admins."""
    found = await payment_resolvers.recruiter_earnings(info.context, recruiter)
    return [
        RecruiterEarningsType(
            currency=e.currency, pending=e.pending, earned=e.earned, reversed=e.reversed
        )
        for e in found
    ]
