"""Payment loaders: recruiters' earnings for a whole page of recruiters in two aggregations."""

from __future__ import annotations

from dataclasses import dataclass

from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.models.payments import PlacementPayment
from crowdhire.models.placements import PaymentStatus, Placement

# Money still owed to the recruiter: not paid yet, being paid, or a failed charge to retry.
PENDING = (PaymentStatus.UNPAID, PaymentStatus.PROCESSING, PaymentStatus.FAILED)


@dataclass(frozen=True)
class Earnings:
    """A recruiter's shares in one currency, in minor units."""

    currency: str
    pending: int
    earned: int
    reversed: int


class EarningsByRecruiterIdLoader(DataLoader[ObjectId, list[Earnings]]):
    """Earnings per currency for many recruiters: one placements and one refunds aggregation."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, recruiter_ids: list[ObjectId]) -> list[list[Earnings]]:
        totals: dict[ObjectId, dict[str, dict[str, int]]] = {rid: {} for rid in recruiter_ids}
        shares = await Placement.get_pymongo_collection().aggregate(
            [
                {"$match": {"recruiter_id": {"$in": recruiter_ids}}},
                {
                    "$group": {
                        "_id": {
                            "recruiter": "$recruiter_id",
                            "currency": "$recruiter_share.currency",
                            "status": "$payment_status",
                        },
                        "total": {"$sum": "$recruiter_share.amount"},
                    }
                },
            ]
        )
        async for row in shares:
            key = row["_id"]
            bucket = totals[key["recruiter"]].setdefault(key["currency"], {})
            kind = "pending" if PaymentStatus(key["status"]) in PENDING else "earned"
            bucket[kind] = bucket.get(kind, 0) + row["total"]
        reversals = await PlacementPayment.get_pymongo_collection().aggregate(
            [
                {
                    "$match": {
                        "recruiter_id": {"$in": recruiter_ids},
                        "refunds.0": {"$exists": True},
                    }
                },
                {"$unwind": "$refunds"},
                {
                    "$group": {
                        "_id": {"recruiter": "$recruiter_id", "currency": "$currency"},
                        "total": {"$sum": "$refunds.recruiter_share"},
                    }
                },
            ]
        )
        async for row in reversals:
            key = row["_id"]
            totals[key["recruiter"]].setdefault(key["currency"], {})["reversed"] = row["total"]
        return [
            [
                Earnings(currency, t.get("pending", 0), t.get("earned", 0), t.get("reversed", 0))
                for currency, t in sorted(totals[rid].items())
            ]
            for rid in recruiter_ids
        ]
