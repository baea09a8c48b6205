"""Where each candidate has been submitted: the facts authorization needs about a candidate."""

from __future__ import annotations

from dataclasses import dataclass

from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.models.submissions import Stage, Submission

CONTACT_STAGES = frozenset({Stage.INTERVIEWING, Stage.OFFER, Stage.HIRED})


@dataclass(frozen=True)
class Candidacy:
    """One submission of a candidate, reduced to what access rules ask."""

    company_id: ObjectId
    reached_interviewing: bool


class CandidaciesByCandidateIdLoader(DataLoader[ObjectId, list[Candidacy]]):
    """Every candidacy of many candidates in one projected query (not cached: it gates access)."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, candidate_ids: list[ObjectId]) -> list[list[Candidacy]]:
        found: dict[ObjectId, list[Candidacy]] = {cid: [] for cid in candidate_ids}
        cursor = Submission.get_pymongo_collection().find(
            {"candidate_id": {"$in": candidate_ids}},
            projection={"candidate_id": 1, "company_id": 1, "stage": 1, "history.to_stage": 1},
        )
        async for doc in cursor:
            stages = {doc["stage"], *(entry["to_stage"] for entry in doc.get("history", []))}
            reached = any(stage in stages for stage in CONTACT_STAGES)
            found[doc["candidate_id"]].append(Candidacy(doc["company_id"], reached))
        return [found[cid] for cid in candidate_ids]
