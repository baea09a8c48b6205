"""Placement: a hire, its fee, the recruiter's share and the payment state."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated

from beanie import Indexed, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import Money, StoredDocument, UtcDatetime, utcnow


class PaymentStatus(StrEnum):
    """Where the company's fee payment stands."""

    UNPAID = "unpaid"
    PROCESSING = "processing"
    PAID = "paid"
    REFUNDED = "refunded"
    FAILED = "failed"


def prorated_refund(fee: int, start: date, guarantee_end: date, departure: date) -> int:
    """The fee part refunded for a departure on `departure` (start <= departure <= end).

    refund = fee * (guarantee_end - departure) / (guarantee_end - start), in days, rounded
    half up to a minor unit: leaving on the first day refunds everything, on the guarantee's
    last day nothing.
    """
    guaranteed = (guarantee_end - start).days
    if guaranteed <= 0:
        return 0
    remaining = (guarantee_end - departure).days
    refund = Decimal(fee) * remaining / guaranteed
    return int(refund.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Placement(StoredDocument):
    """The record of a hire; money in minor units, dates in UTC."""

    submission_id: Annotated[PydanticObjectId, Indexed(unique=True)]
    job_id: PydanticObjectId
    candidate_id: PydanticObjectId
    recruiter_id: PydanticObjectId
    company_id: PydanticObjectId
    start_date: date
    annual_salary: Money
    fee: Money
    recruiter_share: Money
    guarantee_end_date: date
    payment_status: PaymentStatus = PaymentStatus.UNPAID
    # which of the job's openings this hire fills (1-based); unique per job, so two concurrent
    # hires cannot both take the last opening
    opening: int | None = Field(None, ge=1)
    departure_date: date | None = None  # the hire left inside the guarantee
    refund_due: Money | None = None  # prorated fee refund owed to the company (payments pay it)
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "placements"
        use_cache = False
        indexes = [
            IndexModel(
                [("job_id", ASCENDING), ("opening", ASCENDING)],
                unique=True,
                name="one_placement_per_opening",
                partialFilterExpression={"opening": {"$type": "int"}},
            ),
            IndexModel([("job_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel(
                [("candidate_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel(
                [("recruiter_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel(
                [("company_id", ASCENDING), ("start_date", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel([("payment_status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("start_date", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)]),
        ]
