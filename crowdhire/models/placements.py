"""Placement: a hire, its fee, the recruiter's share and the payment state."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import Money, UtcDatetime, utcnow


class PaymentStatus(StrEnum):
    """Where the company's fee payment stands."""

    UNPAID = "unpaid"
    PROCESSING = "processing"
    PAID = "paid"
    REFUNDED = "refunded"
    FAILED = "failed"


class Placement(Document):
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
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "placements"
        use_cache = False
        indexes = [
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
