"""The first ranking stage: a cheap estimate that keeps the best few for the full score.

The full score builds seven explained components per pair (tens of microseconds); a pool of
a thousand would cost more than a request may. The estimate (must-have coverage by canonical
name, and the vector cosine) is a few set operations per candidate.
"""

from __future__ import annotations

from collections.abc import Mapping

from bson import ObjectId

from crowdhire.matching.profiles import CandidateProfile, JobProfile
from crowdhire.matching.score import SEMANTIC_CEILING, SEMANTIC_FLOOR
from crowdhire.matching.skills import canonical

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


def shortlist_people(
    job: JobProfile, people: Mapping[ObjectId, CandidateProfile],
    cosines: Mapping[ObjectId, float], keep: int = RERANKED,
) -> list[ObjectId]:  # fmt: skip
    """The `keep` candidates with the best estimate for a job."""
    wanted = frozenset(canonical(skill) for skill in job.must_have + job.nice_to_have)
    rated = [(estimate(wanted, p.skills, cosines.get(oid)), oid) for oid, p in people.items()]
    return [oid for _, oid in sorted(rated, reverse=True)[:keep]]


def shortlist_jobs(
    person: CandidateProfile, jobs: Mapping[ObjectId, JobProfile],
    cosines: Mapping[ObjectId, float], keep: int = RERANKED,
) -> list[ObjectId]:  # fmt: skip
    """The `keep` jobs with the best estimate for a candidate."""
    held = tuple(person.skills)
    rated = []
    for oid, job in jobs.items():
        wanted = frozenset(canonical(skill) for skill in job.must_have)
        rated.append((estimate(wanted, held, cosines.get(oid)), oid))
    return [oid for _, oid in sorted(rated, reverse=True)[:keep]]
