"""Candidate generation helpers: skill spellings and the index-only skill queries.

The whole pool is cut to the nearest vectors plus people sharing a wanted skill (aliases
expanded; these also cover anyone not embedded yet); smaller pools (a recruiter's own
candidates, a job's submissions) are taken whole. The skill queries return the scored fields
themselves; the nearest vectors' rows are read through the request's batched loaders
(`crowdhire.loaders.matching`).
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from crowdhire.matching.profiles import (
    CANDIDATE_FIELDS,
    JOB_FIELDS,
    CandidateProfile,
    JobProfile,
    candidate_profile_of_row,
    job_profile_of_row,
)
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


async def people_sharing(skills: tuple[str, ...]) -> dict[ObjectId, CandidateProfile]:
    """Some rankable candidates holding one of these skills (any spelling), with their scored
    fields: the same read that finds them returns what the shortlist needs."""
    forms = surface_forms(skills)
    if not forms:
        return {}
    cursor = Candidate.get_pymongo_collection().find(
        {**RANKABLE, "skills": {"$in": forms}}, CANDIDATE_FIELDS,
        limit=FROM_SKILLS, batch_size=FROM_SKILLS,
    )  # fmt: skip
    return {row["_id"]: candidate_profile_of_row(row) for row in await cursor.to_list()}


async def open_jobs_sharing(
    skills: tuple[str, ...], match: dict[str, Any]
) -> dict[ObjectId, JobProfile]:
    """Some open jobs (within `match`) wanting one of these skills (any spelling), with their
    scored fields, in one query (each side of the `$or` uses its own skills index)."""
    forms = surface_forms(skills)
    if not forms:
        return {}
    wanting: dict[str, Any] = {
        "status": JobStatus.OPEN.value,
        "$or": [{"must_have_skills": {"$in": forms}}, {"skills": {"$in": forms}}],
    }
    cursor = Job.get_pymongo_collection().find(
        {"$and": [match, wanting]} if match else wanting, JOB_FIELDS,
        limit=2 * FROM_SKILLS, batch_size=2 * FROM_SKILLS,
    )  # fmt: skip
    return {row["_id"]: job_profile_of_row(row) for row in await cursor.to_list()}


async def open_jobs_within(ids: list[ObjectId], match: dict[str, Any]) -> list[ObjectId]:
    """Which of these jobs are open and meet an extra filter."""
    if not match:
        return ids
    cursor = Job.get_pymongo_collection().find(
        {"$and": [match, {"_id": {"$in": ids}}, {"status": JobStatus.OPEN.value}]}, {"_id": 1}
    )
    return [row["_id"] for row in await cursor.to_list()]
