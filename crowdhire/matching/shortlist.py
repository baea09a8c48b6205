"""The first ranking stage: a cheap estimate that keeps the best few for the full score.

The full score builds seven explained components per pair (tens of microseconds); a pool of
a thousand would cost more than a request may. The estimate (must-have coverage by canonical
name, and the vector cosine) is one set intersection per candidate and a few array operations
over the whole pool.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from bson import ObjectId

from crowdhire.matching.profiles import CandidateProfile, JobProfile
from crowdhire.matching.score import SEMANTIC_CEILING, SEMANTIC_FLOOR
from crowdhire.matching.skills import CANONICAL, canonical

RERANKED = 100
"""How many of a pool the full score ranks (a ranking lists at most this many)."""


def _semantic(cosine: float | None) -> float:
    if cosine is None:
        return 0.5
    value = (cosine - SEMANTIC_FLOOR) / (SEMANTIC_CEILING - SEMANTIC_FLOOR)
    return max(0.0, min(1.0, value))


def estimate(wanted: frozenset[str], skills: tuple[str, ...], cosine: float | None) -> float:
    """Share of wanted skills held (by canonical name) plus the semantic value, 0 to 2."""
    held = {canonical(skill) for skill in skills}
    coverage = len(wanted & held) / len(wanted) if wanted else 0.5
    return coverage + _semantic(cosine)


def _semantic_values(ids: list[ObjectId], cosines: Mapping[ObjectId, float]) -> np.ndarray:
    """`_semantic` of every id at once (0.5 where there is no cosine yet)."""
    raw = np.fromiter((cosines.get(oid, np.nan) for oid in ids), dtype=np.float64, count=len(ids))
    scaled = np.clip((raw - SEMANTIC_FLOOR) / (SEMANTIC_CEILING - SEMANTIC_FLOOR), 0.0, 1.0)
    return np.where(np.isnan(raw), 0.5, scaled)


def _best(ids: list[ObjectId], rated: np.ndarray, keep: int) -> list[ObjectId]:
    """The `keep` best, ties broken by the higher id (as sorting (estimate, id) would)."""
    if len(ids) > keep:
        threshold = np.partition(rated, len(ids) - keep)[len(ids) - keep]
        chosen = np.flatnonzero(rated >= threshold)  # every tie at the boundary competes
    else:
        chosen = np.arange(len(ids))
    ordered = sorted(((float(rated[i]), ids[i]) for i in chosen), reverse=True)
    return [oid for _, oid in ordered[:keep]]


def _coverage(wanted: frozenset[str], forms: frozenset[str], skills: tuple[str, ...]) -> float:
    """`estimate`'s coverage, canonicalising only the held spellings of wanted skills."""
    if not wanted:
        return 0.5
    hits = forms.intersection(skills)
    return len({canonical(skill) for skill in hits}) / len(wanted) if hits else 0.0


def shortlist_people(
    job: JobProfile, skills: Mapping[ObjectId, tuple[str, ...]],
    cosines: Mapping[ObjectId, float], keep: int = RERANKED,
) -> list[ObjectId]:  # fmt: skip
    """The `keep` candidates (their held skills by id) with the best estimate for a job."""
    wanted = frozenset(canonical(skill) for skill in job.must_have + job.nice_to_have)
    forms = frozenset(alias for alias, name in CANONICAL.items() if name in wanted) | wanted
    ids = list(skills)
    covered = np.fromiter((_coverage(wanted, forms, skills[oid]) for oid in ids),
                          dtype=np.float64, count=len(ids))  # fmt: skip
    return _best(ids, covered + _semantic_values(ids, cosines), keep)


def shortlist_jobs(
    person: CandidateProfile, jobs: Mapping[ObjectId, JobProfile],
    cosines: Mapping[ObjectId, float], keep: int = RERANKED,
) -> list[ObjectId]:  # fmt: skip
    """The `keep` jobs with the best estimate for a candidate."""
    held = {canonical(skill) for skill in person.skills}
    ids = list(jobs)

    def covered(job: JobProfile) -> float:
        wanted = {canonical(skill) for skill in job.must_have}
        return len(wanted & held) / len(wanted) if wanted else 0.5

    coverage = np.fromiter((covered(jobs[oid]) for oid in ids), dtype=np.float64, count=len(ids))
    return _best(ids, coverage + _semantic_values(ids, cosines), keep)
