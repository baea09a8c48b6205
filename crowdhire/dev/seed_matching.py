"""Realistic values for the fields matching reads, added to the demo data after it is built.

A separate random stream (seeded from the demo seed) keeps every other demo value exactly as
it was; the summaries paraphrase the role rather than repeat its skill list, as people do.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from crowdhire.models import Candidate, Job
from crowdhire.models.common import Money

_LEVEL_YEARS = {"Junior": (0, 2), "Senior": (5, 14), "Staff": (8, 22), "Lead": (7, 22)}
_LOCAL_LANGUAGE = {
    "Germany": "german",
    "France": "french",
    "Spain": "spanish",
    "Netherlands": "dutch",
    "Portugal": "portuguese",
    "Poland": "polish",
}
_CURRENCY = {"UK": ("GBP", 0.68), "Canada": ("CAD", 1.0), "Poland": ("PLN", 1.7)}
_EURO = ("Germany", "France", "Spain", "Netherlands", "Portugal", "Ireland")
_OPENERS = ("I enjoy", "Most of my work has been", "Lately I have focused on", "I am known for")
_ACTS = ("shipping reliable features with small teams", "taking systems from prototype to scale",
         "mentoring others and reviewing designs", "working closely with product and design",
         "keeping production calm and well monitored")  # fmt: skip


def _country(location: str) -> str:
    return location.rpartition(", ")[2]


def _currency(location: str) -> tuple[str, float]:
    country = _country(location)
    if country in _EURO:
        return "EUR", 0.72
    return _CURRENCY.get(country, ("USD", 1.0))


def _languages(rng: random.Random, location: str) -> list[str]:
    local = _LOCAL_LANGUAGE.get(_country(location))
    spoken = ["english"] + ([local] if local and rng.random() < 0.8 else [])
    return spoken + (["spanish"] if rng.random() < 0.1 and "spanish" not in spoken else [])


def fill_matching_fields(candidates: Sequence[Candidate], jobs: Sequence[Job], seed: int) -> None:
    """Set summaries, salary wishes, remote and languages; split job skills and years."""
    rng = random.Random(seed * 7919 + 16)
    for person in candidates:
        currency, factor = _currency(person.location)
        thousands = (60 + 7 * person.years_experience) * factor * rng.uniform(0.85, 1.2)
        person.summary = (f"{person.headline} with {person.years_experience} years of experience."
                          f" {rng.choice(_OPENERS)} {rng.choice(_ACTS)}.")  # fmt: skip
        person.desired_salary = (
            Money(amount=round(thousands) * 100_000, currency=currency)
            if rng.random() < 0.7 else None
        )  # fmt: skip
        person.open_to_remote = rng.random() < 0.55
        person.languages = _languages(rng, person.location)
    for job in jobs:
        job.must_have_skills = job.skills[:3]
        job.nice_to_have_skills = job.skills[3:]
        level = job.title.split(" ", 1)[0]
        low, high = _LEVEL_YEARS.get(level, (2, 6))
        job.min_years_experience, job.max_years_experience = low, high + 4
        job.languages = ["english"] + (
            [lang] if (lang := _LOCAL_LANGUAGE.get(_country(job.location))) and rng.random() < 0.3
            else []
        )  # fmt: skip
