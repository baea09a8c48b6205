"""Submission loaders: by id, and pages/counts per job, candidate and recruiter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING
from strawberry.dataloader import DataLoader

from crowdhire.loaders.base import ByIdLoader, CachedKind
from crowdhire.loaders.children import ChildRelation
from crowdhire.loaders.pagination import ordering
from crowdhire.models.submissions import Stage, Submission

SUBMISSIONS_BY_PARENT_ORDER = ordering("submissions.nested", ("created_at", DESCENDING))


class SubmissionByIdLoader(ByIdLoader[Submission]):
    """Submissions by id, read through the cache."""

    model = Submission
    kind = CachedKind.SUBMISSIONS


SUBMISSIONS_BY_JOB_ID = ChildRelation(Submission, "job_id", SUBMISSIONS_BY_PARENT_ORDER)
SUBMISSIONS_BY_CANDIDATE_ID = ChildRelation(Submission, "candidate_id", SUBMISSIONS_BY_PARENT_ORDER)
SUBMISSIONS_BY_RECRUITER_ID = ChildRelation(Submission, "recruiter_id", SUBMISSIONS_BY_PARENT_ORDER)


INTERVIEW_STAGES = [Stage.INTERVIEWING.value, Stage.OFFER.value, Stage.HIRED.value]


@dataclass(frozen=True)
class SubmissionStats:
    """A recruiter's pipeline counts."""

    submissions: int = 0
    interviews: int = 0  # reached interviewing (now or earlier, per the stage history)
    hires: int = 0


class SubmissionStatsByRecruiterIdLoader(DataLoader[ObjectId, SubmissionStats]):
    """Pipeline counts for many recruiters in one `$group` aggregation (not cached)."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, recruiter_ids: list[ObjectId]) -> list[SubmissionStats]:
        stages = {"$concatArrays": [["$stage"], {"$ifNull": ["$history.to_stage", []]}]}
        reached = {"$gt": [{"$size": {"$setIntersection": [stages, INTERVIEW_STAGES]}}, 0]}
        pipeline: list[dict[str, Any]] = [
            {"$match": {"recruiter_id": {"$in": list(set(recruiter_ids))}}},
            {
                "$group": {
                    "_id": "$recruiter_id",
                    "submissions": {"$sum": 1},
                    "interviews": {"$sum": {"$cond": [reached, 1, 0]}},
                    "hires": {"$sum": {"$cond": [{"$eq": ["$stage", Stage.HIRED.value]}, 1, 0]}},
                }
            },
        ]
        collection = Submission.get_pymongo_collection()
        cursor = await collection.aggregate(pipeline, batchSize=len(recruiter_ids) + 1)
        found = {
            row["_id"]: SubmissionStats(row["submissions"], row["interviews"], row["hires"])
            async for row in cursor
        }
        return [found.get(recruiter_id, SubmissionStats()) for recruiter_id in recruiter_ids]
