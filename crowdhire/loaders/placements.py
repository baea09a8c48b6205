"""Placement loaders: by id, and pages/counts per job, candidate and recruiter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bson import ObjectId
from pymongo import DESCENDING
from strawberry.dataloader import DataLoader

from crowdhire.loaders.base import ByIdLoader, CachedKind
from crowdhire.loaders.children import ChildRelation
from crowdhire.loaders.pagination import ordering
from crowdhire.models.placements import PaymentStatus, Placement

PLACEMENTS_BY_PARENT_ORDER = ordering("placements.nested", ("created_at", DESCENDING))


class PlacementByIdLoader(ByIdLoader[Placement]):
    """Placements by id, read through the cache."""

    model = Placement
    kind = CachedKind.PLACEMENTS


PLACEMENTS_BY_JOB_ID = ChildRelation(Placement, "job_id", PLACEMENTS_BY_PARENT_ORDER)
PLACEMENTS_BY_CANDIDATE_ID = ChildRelation(Placement, "candidate_id", PLACEMENTS_BY_PARENT_ORDER)
PLACEMENTS_BY_RECRUITER_ID = ChildRelation(Placement, "recruiter_id", PLACEMENTS_BY_PARENT_ORDER)


PENDING_STATUSES = (PaymentStatus.UNPAID, PaymentStatus.PROCESSING)


@dataclass(frozen=True)
class RecruiterFees:
    """A recruiter's fee shares per currency (minor units): not yet paid, and paid."""

    pending: dict[str, int] = field(default_factory=dict)
    earned: dict[str, int] = field(default_factory=dict)


class RecruiterFeesByRecruiterIdLoader(DataLoader[ObjectId, RecruiterFees]):
    """Fee shares for many recruiters in one `$group` aggregation (not cached)."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, recruiter_ids: list[ObjectId]) -> list[RecruiterFees]:
        statuses = [status.value for status in (*PENDING_STATUSES, PaymentStatus.PAID)]
        match = {
            "recruiter_id": {"$in": list(set(recruiter_ids))},
            "payment_status": {"$in": statuses},
        }
        pipeline = [
            {"$match": match},
            {
                "$group": {
                    "_id": {
                        "recruiter": "$recruiter_id",
                        "currency": "$recruiter_share.currency",
                        "paid": {"$eq": ["$payment_status", PaymentStatus.PAID.value]},
                    },
                    "amount": {"$sum": "$recruiter_share.amount"},
                }
            },
        ]
        pending: dict[ObjectId, dict[str, int]] = defaultdict(dict)
        earned: dict[ObjectId, dict[str, int]] = defaultdict(dict)
        collection = Placement.get_pymongo_collection()
        async for row in await collection.aggregate(pipeline):
            key = row["_id"]
            target = earned if key["paid"] else pending
            target[key["recruiter"]][key["currency"]] = row["amount"]
        return [
            RecruiterFees(pending=dict(pending[rid]), earned=dict(earned[rid]))
            for rid in recruiter_ids
        ]
