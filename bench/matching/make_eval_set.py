"""Generate the frozen matching evaluation set: `python -m bench.matching.make_eval_set`.

Protocol (README, "Matching quality"): every job and candidate is drawn from a role archetype
and a seniority band; candidates write their skills in varied surface forms (aliases, or only
in their summary) and carry noise skills of other roles; headlines paraphrase the role without
sharing the job title's words. The relevance grade of a (job, candidate) pair comes from these
latent draws alone, never from any scorer:

  3 = same archetype and seniority band; 2 = same archetype, adjacent band;
  1 = same archetype two bands off, or a related archetype (same family) in the same band;
  0 = otherwise. Hard mismatches then cost one grade each: an on-site job in another city
  for a candidate who lives elsewhere, and a required language the candidate does not speak.

Jobs are split 50/50 into dev (weights and thresholds are chosen there) and test (reported).
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

from bench.matching.archetypes import ARCHETYPES, Archetype

SEED = 16
JOBS = 240
CANDIDATES = 1200
PATH = Path(__file__).parent / "eval_set.json.gz"
BANDS = ((0, 2), (3, 5), (6, 9), (10, 15))
CITIES = ("Berlin", "Paris", "London", "Madrid", "Warsaw", "Amsterdam")
LANGUAGES = ("english", "german", "french", "spanish", "polish", "dutch")
BASE_SALARY = {"engineering": 70, "infrastructure": 75, "data": 75, "design": 60,
               "product": 75, "business": 55, "hardware": 65}  # fmt: skip


def _job(rng: random.Random, index: int, role: Archetype, band: int) -> dict[str, Any]:
    skills = [forms[0] for forms in rng.sample(role.skills, 5)]
    low, high = BANDS[band]
    city = rng.choice(CITIES)
    remote = rng.choices(["onsite", "hybrid", "remote"], [0.35, 0.35, 0.3])[0]
    pay = BASE_SALARY[role.family] * (1 + 0.35 * band) * 1000 * 100
    level = ("Junior ", "", "Senior ", "Principal ")[band]
    return {
        "id": f"job-{index}", "archetype": role.name, "band": band,
        "title": level + rng.choice(role.titles),
        "description": " ".join(rng.sample(role.sentences, 2)).replace("I ", "You will "),
        "mustHave": skills[:3], "niceToHave": skills[3:],
        "minYears": low, "maxYears": high + 3,
        "location": city, "remotePolicy": remote,
        "salary": {"min": int(pay * 0.9), "max": int(pay * 1.2), "currency": "EUR"},
        "languages": ["english"] + ([rng.choice(LANGUAGES[1:])] if rng.random() < 0.3 else []),
    }  # fmt: skip


def _candidate(rng: random.Random, index: int, role: Archetype, band: int) -> dict[str, Any]:
    skills, mentioned = [], []
    for forms in rng.sample(role.skills, rng.randint(3, 6)):
        draw = rng.random()
        if draw < 0.35:
            skills.append(forms[0])
        elif draw < 0.75:
            skills.append(rng.choice(forms[1:] or forms))
        else:
            mentioned.append(rng.choice(forms))  # only in the summary
    noise = rng.choice([a for a in ARCHETYPES if a.name != role.name])
    skills += [rng.choice(forms) for forms in rng.sample(noise.skills, rng.randint(1, 2))]
    low, high = BANDS[band]
    years = max(0, rng.randint(low, high) + rng.choice([-1, 0, 0, 1]))
    summary = " ".join(rng.sample(role.sentences, 2))
    if mentioned:
        summary += f" Day to day I use {', '.join(mentioned)}."
    pay = BASE_SALARY[role.family] * (1 + 0.35 * band) * 1000 * 100 * rng.uniform(0.85, 1.3)
    return {
        "id": f"cand-{index}", "archetype": role.name, "band": band,
        "headline": rng.choice(role.headlines), "summary": summary,
        "skills": list(dict.fromkeys(skills)), "yearsExperience": years,
        "location": rng.choice(CITIES), "openToRemote": rng.random() < 0.6,
        "desiredSalary": {"amount": int(pay), "currency": "EUR"} if rng.random() < 0.7 else None,
        "languages": ["english", *rng.sample(LANGUAGES[1:], rng.randint(0, 2))],
    }  # fmt: skip


def grade(job: dict[str, Any], person: dict[str, Any], families: dict[str, str]) -> int:
    """The relevance of a pair from the latent draws (see the module docstring)."""
    distance = abs(job["band"] - person["band"])
    if job["archetype"] == person["archetype"]:
        value = (3, 2, 1)[distance] if distance <= 2 else 0
    elif families[job["archetype"]] == families[person["archetype"]] and distance == 0:
        value = 1
    else:
        return 0
    if job["remotePolicy"] == "onsite" and job["location"] != person["location"]:
        value -= 1
    if any(language not in person["languages"] for language in job["languages"]):
        value -= 1
    return max(value, 0)


def build(seed: int = SEED) -> dict[str, Any]:
    """The whole set: jobs, candidates, graded labels (non-zero only) and the split."""
    rng = random.Random(seed)
    families = {a.name: a.family for a in ARCHETYPES}
    people = [_candidate(rng, i, rng.choice(ARCHETYPES), rng.randrange(len(BANDS)))
              for i in range(CANDIDATES)]  # fmt: skip
    jobs = [_job(rng, i, rng.choice(ARCHETYPES), rng.randrange(len(BANDS))) for i in range(JOBS)]
    labels = {
        job["id"]: {p["id"]: g for p in people if (g := grade(job, p, families)) > 0}
        for job in jobs
    }
    order = [job["id"] for job in jobs]
    rng.shuffle(order)
    half = len(order) // 2
    return {
        "protocol": __doc__,
        "seed": seed,
        "jobs": jobs,
        "candidates": people,
        "labels": labels,
        "split": {"dev": sorted(order[:half]), "test": sorted(order[half:])},
    }


def main() -> None:
    """Write the frozen set (deterministic: same seed, same bytes)."""
    data = json.dumps(build(), sort_keys=True, separators=(",", ":")).encode()
    PATH.write_bytes(gzip.compress(data, mtime=0))
    print(f"wrote {PATH} ({PATH.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
