"""Candidate generation helpers: skill spellings and the index-only skill queries.

The whole pool is cut to the nearest vectors plus people sharing a wanted skill (aliases
expanded; these also cover anyone not embedded yet); smaller pools (a recruiter's own
candidates, a job's submissions) are taken whole. The rows themselves are read through the
request's batched loaders (`crowdhire.loaders.matching`).
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from crowdhire.matching.skills import CANONICAL, canonical
from crowdhire.models import Candidate, Job
from crowdhire.models.candidates import AutomatedRanking
from crowdhire.models.jobs import JobStatus

FROM_VECTORS = 200
"""How many nearest vectors join a pool (jobs: twice that, filters drop closed ones)."""
FROM_SKILLS = 100

RANKABLE = {"erased_at": None, "automated_ranking": {"$ne": AutomatedRanking.OPTED_OUT.value}}
"""People who may be ranked: not erased, not opted out."""


def surface_forms(skills: tuple[str, ...]) -> list[str]:
    """Every stored spelling that means one of these skills (the alias table, both ways)."""
    wanted = {canonical(skill) for skill in skills}
    forms = {alias for alias, name in CANONICAL.items() if name in wanted}
    return sorted(forms | wanted | set(skills))


async def _sharing(collection: Any, field: str, forms: list[str], match: dict[str, Any],
                   limit: int) -> list[ObjectId]:  # fmt: skip
    """Ids with at least one of the forms, straight off the multikey index (no sort)."""
    if not forms:
        return []
    cursor = collection.find({**match, field: {"$in": forms}}, {"_id": 1}).limit(limit)
    return [row["_id"] async for row in cursor]


async def people_sharing(skills: tuple[str, ...]) -> list[ObjectId]:
    """Some rankable candidates holding one of these skills (any spelling)."""
    collection = Candidate.get_pymongo_collection()
    return await _sharing(collection, "skills", surface_forms(skills), RANKABLE, FROM_SKILLS)


async def open_jobs_sharing(skills: tuple[str, ...], match: dict[str, Any]) -> list[ObjectId]:
    """Some open jobs (within `match`) wanting one of these skills (any spelling)."""
    forms, collection = surface_forms(skills), Job.get_pymongo_collection()
    open_match = {**match, "status": JobStatus.OPEN.value}
    by_must = await _sharing(collection, "must_have_skills", forms, open_match, FROM_SKILLS)
    by_skills = await _sharing(collection, "skills", forms, open_match, FROM_SKILLS)
    return list(dict.fromkeys([*by_must, *by_skills]))


async def open_jobs_within(ids: list[ObjectId], match: dict[str, Any]) -> list[ObjectId]:
    """Which of these jobs are open and meet an extra filter."""
    if not match:
        return ids
    cursor = Job.get_pymongo_collection().find(
        {"$and": [match, {"_id": {"$in": ids}}, {"status": JobStatus.OPEN.value}]}, {"_id": 1}
    )
    return [row["_id"] async for row in cursor]
