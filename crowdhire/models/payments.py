"""Placement fee payments through Stripe, and the Stripe events already applied."""

from __future__ import annotations

from beanie import PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from crowdhire.models.common import Currency, StoredDocument, UtcDatetime, utcnow
from crowdhire.models.placements import PaymentStatus

STATUS_RANK = {
    PaymentStatus.UNPAID: 0,
    PaymentStatus.PROCESSING: 1,
    PaymentStatus.FAILED: 1,
    PaymentStatus.PAID: 2,
    PaymentStatus.REFUNDED: 3,
}
"""Payment states only move up this ladder; processing and failed alternate by event time."""


class RefundRecord(BaseModel):
    """One refund of (part of) a paid fee."""

    stripe_refund_id: str
    amount: int = Field(ge=0)
    recruiter_share: int = Field(ge=0, description="the recruiter's share of this refund")
    created_at: UtcDatetime = Field(default_factory=utcnow)


class PlacementPayment(StoredDocument):
    """One attempt at charging a placement's fee: its PaymentIntent and what became of it."""

    placement_id: PydanticObjectId
    company_id: PydanticObjectId
    recruiter_id: PydanticObjectId
    attempt: int = Field(1, ge=1)
    stripe_payment_intent_id: str | None = None
    amount: int = Field(gt=0)
    currency: Currency
    recruiter_share: int = Field(ge=0)
    status: PaymentStatus = PaymentStatus.PROCESSING
    status_event_at: UtcDatetime | None = None  # `created` of the event that set the status
    paid_at: UtcDatetime | None = None
    refunds: list[RefundRecord] = Field(default_factory=list)
    amount_refunded: int = Field(0, ge=0)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "placement_payments"
        use_cache = False
        indexes = [
            IndexModel(
                [("placement_id", ASCENDING), ("attempt", ASCENDING)],
                unique=True,
                name="one_payment_per_attempt",
            ),
            IndexModel(
                [("stripe_payment_intent_id", ASCENDING)],
                unique=True,
                name="one_payment_per_intent",
                partialFilterExpression={"stripe_payment_intent_id": {"$type": "string"}},
            ),
            IndexModel([("recruiter_id", ASCENDING)]),
        ]


class StripeEvent(StoredDocument):
    """A Stripe event received by the webhook; the unique id makes every delivery count once."""

    event_id: str
    type: str
    stripe_created_at: UtcDatetime
    payment_intent_id: str | None = None
    outcome: str  # what the state machine did: applied, ignored, stale, mismatch, unknown
    received_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "stripe_events"
        use_cache = False
        indexes = [IndexModel([("event_id", ASCENDING)], unique=True, name="one_event_id")]
