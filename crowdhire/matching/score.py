"""The 0 to 100 match score: named components, each with its weight, value and a reason.

A component the data cannot decide (no salary on one side, no vector yet, …) is shown with
weight 0 and says why; the total is the weighted mean of the decided components, so a
missing datum neither helps nor hurts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from crowdhire.matching.profiles import CandidateProfile, JobProfile
from crowdhire.matching.skills import SkillSimilarity, coverage
from crowdhire.models.jobs import RemotePolicy

WEIGHTS: dict[str, float] = {
    "mustHave": 30.0,
    "niceToHave": 8.0,
    "experience": 12.0,
    "location": 8.0,
    "salary": 6.0,
    "language": 6.0,
    "semantic": 30.0,
}
"""Relative weights (chosen on the evaluation set's dev split, never on its test split)."""

SEMANTIC_FLOOR = 0.15
SEMANTIC_CEILING = 0.65
"""Cosines at or below the floor count 0, at or above the ceiling 1 (wordllama's range)."""

VectorSimilarity = Callable[[], float | None]


@dataclass(frozen=True)
class Component:
    """One named part of a score: value 0 to 1, its weight, and a sentence saying why."""

    name: str
    weight: float
    value: float
    reason: str


@dataclass(frozen=True)
class MatchScore:
    """The total (0 to 100) and its components."""

    score: float
    components: tuple[Component, ...]
    # Set once the score is part of a ranking (served again from the ranking cache, it keeps
    # the time it was computed); None: computed for this request.
    computed_at: datetime | None = None


def _unknown(name: str, reason: str) -> Component:
    return Component(name, 0.0, 0.0, reason)


def _decided(name: str, value: float, reason: str) -> Component:
    return Component(name, WEIGHTS[name], round(max(0.0, min(1.0, value)), 4), reason)


def _skills(
    name: str, label: str, wanted: tuple[str, ...], held: tuple[str, ...],
    similarity: SkillSimilarity | None,
) -> Component:  # fmt: skip
    if not wanted:
        return _unknown(name, f"the job lists no {label} skills")
    found = coverage(wanted, held, similarity)
    reason = f"{len(found.matched)} of {len(wanted)} {label} skills"
    if found.missing:
        reason += f"; missing: {', '.join(found.missing)}"
    return _decided(name, found.ratio, reason)


def _experience(job: JobProfile, person: CandidateProfile) -> Component:
    low, high, years = job.min_years, job.max_years, person.years_experience
    if low is None and high is None:
        return _unknown("experience", "the job states no experience range")
    if low is not None and years < low:
        return _decided("experience", 1 - (low - years) / max(low, 1),
                        f"{years} years, the job asks for at least {low}")  # fmt: skip
    if high is not None and years > high:
        return _decided("experience", 1 - (years - high) / 10,
                        f"{years} years, more than the job's {high}")  # fmt: skip
    return _decided("experience", 1.0, f"{years} years, within the job's range")


def _same_place(a: str, b: str) -> bool:
    first, second = a.strip().casefold(), b.strip().casefold()
    return bool(first and second) and (first.startswith(second) or second.startswith(first))


def _location(job: JobProfile, person: CandidateProfile) -> Component:
    here = _same_place(job.location, person.location)
    if job.remote_policy is RemotePolicy.REMOTE:
        if person.open_to_remote:
            return _decided("location", 1.0, "remote job, candidate open to remote")
        if here:
            return _decided("location", 0.8, "remote job, candidate lives in the job's location")
        return _decided("location", 0.4, "remote job, candidate did not say they work remotely")
    if not job.location.strip():
        return _unknown("location", "the job names no location")
    if here:
        return _decided("location", 1.0, f"candidate is in {job.location}")
    if job.remote_policy is RemotePolicy.HYBRID and person.open_to_remote:
        return _decided("location", 0.4, f"hybrid job in {job.location}, candidate elsewhere")
    return _decided("location", 0.1, f"on-site job in {job.location}, candidate elsewhere")


def _salary(job: JobProfile, person: CandidateProfile) -> Component:
    band, wish = job.salary, person.desired_salary
    if band is None or wish is None:
        return _unknown("salary", "unknown: a salary is missing on one side")
    if band.currency != wish.currency:
        return _unknown("salary", "unknown: different currencies")
    if wish.amount <= band.max:
        return _decided("salary", 1.0, "desired salary within the job's range")
    over = (wish.amount - band.max) / max(band.max, 1)
    return _decided("salary", 1 - 2 * over, f"desired salary {over:.0%} above the job's range")


def _languages(job: JobProfile, person: CandidateProfile) -> Component:
    if not job.languages:
        return _unknown("language", "the job asks for no language")
    spoken = set(person.languages)
    missing = [language for language in job.languages if language not in spoken]
    reason = f"speaks {len(job.languages) - len(missing)} of {len(job.languages)} languages"
    if missing:
        reason += f"; missing: {', '.join(missing)}"
    return _decided("language", 1 - len(missing) / len(job.languages), reason)


def semantic_component(cosine: float | None) -> Component:
    """The semantic part from the cosine of the two texts' vectors (None: not embedded yet)."""
    if cosine is None:
        return _unknown("semantic", "not embedded yet: scored on the other components")
    value = (cosine - SEMANTIC_FLOOR) / (SEMANTIC_CEILING - SEMANTIC_FLOOR)
    words = "closely" if value >= 0.66 else "somewhat" if value >= 0.33 else "hardly"
    return _decided("semantic", value, f"profile and job text {words} related ({cosine:.2f})")


def score(
    job: JobProfile,
    person: CandidateProfile,
    *,
    cosine: float | None = None,
    skill_similarity: SkillSimilarity | None = None,
    semantic: bool = True,
) -> MatchScore:
    """Score a pair; `semantic=False` is the structured score alone (evaluation baseline)."""
    parts = [
        _skills("mustHave", "must-have", job.must_have, person.skills, skill_similarity),
        _skills("niceToHave", "nice-to-have", job.nice_to_have, person.skills, skill_similarity),
        _experience(job, person),
        _location(job, person),
        _salary(job, person),
        _languages(job, person),
    ]
    if semantic:
        parts.append(semantic_component(cosine))
    weight = sum(part.weight for part in parts)
    total = sum(part.weight * part.value for part in parts) / weight if weight else 0.0
    return MatchScore(round(100 * total, 1), tuple(parts))
