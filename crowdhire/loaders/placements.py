"""Placement loaders: by id, and pages/counts per job, candidate and recruiter."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bson import ObjectId
from pymongo import DESCENDING
from strawberry.dataloader import DataLoader

from crowdhire.loaders.base import ByIdLoader, ChildCountLoader, ChildPageLoader
from crowdhire.loaders.pagination import ordering
from crowdhire.models.placements import PaymentStatus, Placement

PLACEMENTS_BY_PARENT_ORDER = ordering("placements.nested", ("created_at", DESCENDING))


class PlacementByIdLoader(ByIdLoader[Placement]):
    """Placements by id, read through the cache."""

    model = Placement
    kind = "placements"


class PlacementsByJobIdLoader(ChildPageLoader):
    """A page of each job's placements, newest first."""

    model = Placement
    foreign_key = "job_id"
    order = PLACEMENTS_BY_PARENT_ORDER


class PlacementsByCandidateIdLoader(ChildPageLoader):
    """A page of each candidate's placements, newest first."""

    model = Placement
    foreign_key = "candidate_id"
    order = PLACEMENTS_BY_PARENT_ORDER


class PlacementsByRecruiterIdLoader(ChildPageLoader):
    """A page of each recruiter's placements, newest first."""

    model = Placement
    foreign_key = "recruiter_id"
    order = PLACEMENTS_BY_PARENT_ORDER


class PlacementCountByJobIdLoader(ChildCountLoader):
    """How many placements each job has."""

    model = Placement
    foreign_key = "job_id"


class PlacementCountByCandidateIdLoader(ChildCountLoader):
    """How many placements each candidate has."""

    model = Placement
    foreign_key = "candidate_id"


class PlacementCountByRecruiterIdLoader(ChildCountLoader):
    """How many placements each recruiter has."""

    model = Placement
    foreign_key = "recruiter_id"


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
