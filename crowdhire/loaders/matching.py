"""What rankings read, batched across every ranking of one request (a page of jobs, each with
its recommended candidates, costs one query per kind of read, not one per job).

The rows are not cached in memcached: a ranking computed must see opt-outs and profile edits at
once, and these projected rows are cheap to read. Whole rankings are (`RankingByKeyLoader`):
one is served again only while every tag it read keeps its version.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bson import ObjectId
from strawberry.dataloader import DataLoader

from crowdhire.cache import ObjectCache
from crowdhire.matching.pools import RANKABLE
from crowdhire.matching.profiles import (
    CANDIDATE_FIELDS,
    JOB_FIELDS,
    CandidateProfile,
    JobProfile,
    candidate_profile_of_row,
    job_profile_of_row,
)
from crowdhire.matching.ranking_codec import StoredRanking, decode_ranking
from crowdhire.models import Candidate, Job, Submission
from crowdhire.models.jobs import JobStatus
from crowdhire.tags.versions import TagVersions

MAX_OWNED = 5000


class CandidateProfileByIdLoader(DataLoader[ObjectId, CandidateProfile | None]):
    """Scored fields of rankable candidates (None: missing, erased or opted out)."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, ids: list[ObjectId]) -> list[CandidateProfile | None]:
        cursor = Candidate.get_pymongo_collection().find(
            {"_id": {"$in": ids}, **RANKABLE}, CANDIDATE_FIELDS, batch_size=len(ids)
        )
        found = {row["_id"]: candidate_profile_of_row(row) for row in await cursor.to_list()}
        return [found.get(oid) for oid in ids]


class JobProfileByIdLoader(DataLoader[ObjectId, JobProfile | None]):
    """Scored fields of jobs (None: missing, or not open when `open_only`)."""

    def __init__(self, *, open_only: bool) -> None:
        super().__init__(load_fn=self._load)
        self.open_only = open_only

    async def _load(self, ids: list[ObjectId]) -> list[JobProfile | None]:
        match: dict[str, Any] = {"_id": {"$in": ids}}
        if self.open_only:
            match["status"] = JobStatus.OPEN.value
        cursor = Job.get_pymongo_collection().find(match, JOB_FIELDS, batch_size=len(ids))
        found = {row["_id"]: job_profile_of_row(row) for row in await cursor.to_list()}
        return [found.get(oid) for oid in ids]


class OwnedCandidateIdsByRecruiterIdLoader(DataLoader[ObjectId, list[ObjectId]]):
    """Each recruiter's rankable candidates, ids only (capped per batch)."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, recruiter_ids: list[ObjectId]) -> list[list[ObjectId]]:
        found: defaultdict[ObjectId, list[ObjectId]] = defaultdict(list)
        match: dict[str, Any] = {"recruiter_id": {"$in": recruiter_ids}, **RANKABLE}
        limit = MAX_OWNED * len(recruiter_ids)
        cursor = Candidate.get_pymongo_collection().find(
            match, {"recruiter_id": 1}, limit=limit, batch_size=limit
        )
        for row in await cursor.to_list():
            found[row["recruiter_id"]].append(row["_id"])
        return [found[rid] for rid in recruiter_ids]


class SubmittedCandidateIdsByJobIdLoader(DataLoader[ObjectId, list[ObjectId]]):
    """The candidates submitted to each job."""

    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, job_ids: list[ObjectId]) -> list[list[ObjectId]]:
        found: defaultdict[ObjectId, list[ObjectId]] = defaultdict(list)
        cursor = Submission.get_pymongo_collection().find(
            {"job_id": {"$in": job_ids}}, {"job_id": 1, "candidate_id": 1}, batch_size=10_000
        )
        for row in await cursor.to_list():
            found[row["job_id"]].append(row["candidate_id"])
        return [found[jid] for jid in job_ids]


class RankingByKeyLoader(DataLoader[str, StoredRanking | None]):
    """Stored rankings still fresh by their tags (a page of jobs' rankings: one lookup of the
    entries, one of their tags' versions). The vector digest is checked by the caller, which
    holds the index."""

    def __init__(self, cache: ObjectCache) -> None:
        super().__init__(load_fn=self._load)
        self.store = cache

    async def _load(self, keys: list[str]) -> list[StoredRanking | None]:
        raws = await self.store.get_many(keys)
        stored = [decode_ranking(raw) if raw else None for raw in raws]
        tags = {tag for ranking in stored if ranking is not None for tag in ranking.versions}
        current = await TagVersions(self.store).current(tags) if tags else {}
        return [
            ranking
            if ranking is not None
            and all(current.get(tag) == version for tag, version in ranking.versions.items())
            else None
            for ranking in stored
        ]
