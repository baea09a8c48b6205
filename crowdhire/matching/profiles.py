"""What the score may look at: a job's and a candidate's matching fields, nothing else.

The candidate profile has no name, email, phone, links, photo, age or gender field, so the
score cannot use them; building it is the only way documents reach the scorer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crowdhire.models.candidates import Candidate
from crowdhire.models.jobs import Job, RemotePolicy


@dataclass(frozen=True)
class SalaryBand:
    """A job's yearly salary range in minor units."""

    min: int
    max: int
    currency: str


@dataclass(frozen=True)
class DesiredSalary:
    """What a candidate asks for per year, in minor units."""

    amount: int
    currency: str


@dataclass(frozen=True)
class JobProfile:
    """A job as the scorer sees it."""

    title: str
    description: str
    must_have: tuple[str, ...]
    nice_to_have: tuple[str, ...] = ()
    min_years: int | None = None
    max_years: int | None = None
    location: str = ""
    remote_policy: RemotePolicy = RemotePolicy.ONSITE
    salary: SalaryBand | None = None
    languages: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """What the semantic component embeds for a job."""
        return f"{self.title}. {self.description}"


@dataclass(frozen=True)
class CandidateProfile:
    """A candidate as the scorer sees it."""

    headline: str
    summary: str
    skills: tuple[str, ...]
    years_experience: int = 0
    location: str = ""
    open_to_remote: bool = False
    desired_salary: DesiredSalary | None = None
    languages: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """What the semantic component embeds for a candidate."""
        return f"{self.headline}. {self.summary} Skills: {', '.join(self.skills)}."


def job_profile(job: Job) -> JobProfile:
    """The matching view of a job; `skills` is the must-have list when no list was split."""
    must = job.must_have_skills or ([] if job.nice_to_have_skills else job.skills)
    salary = job.salary
    return JobProfile(
        title=job.title,
        description=job.description,
        must_have=tuple(must),
        nice_to_have=tuple(job.nice_to_have_skills),
        min_years=job.min_years_experience,
        max_years=job.max_years_experience,
        location=job.location,
        remote_policy=job.remote_policy,
        salary=SalaryBand(salary.min, salary.max, salary.currency) if salary else None,
        languages=tuple(job.languages),
    )


def candidate_profile(candidate: Candidate) -> CandidateProfile:
    """The matching view of a candidate."""
    wish = candidate.desired_salary
    return CandidateProfile(
        headline=candidate.headline,
        summary=candidate.summary,
        skills=tuple(candidate.skills),
        years_experience=candidate.years_experience,
        location=candidate.location,
        open_to_remote=candidate.open_to_remote,
        desired_salary=DesiredSalary(wish.amount, wish.currency) if wish else None,
        languages=tuple(candidate.languages),
    )


CANDIDATE_FIELDS = {"skills": 1, "years_experience": 1, "location": 1, "open_to_remote": 1,
                    "desired_salary": 1, "languages": 1}  # fmt: skip
"""The projection rankings read per candidate: what the structured score needs (texts are
only embedded, never scored, so they stay on the server)."""

JOB_FIELDS = {"skills": 1, "must_have_skills": 1, "nice_to_have_skills": 1,
              "min_years_experience": 1, "max_years_experience": 1, "location": 1,
              "remote_policy": 1, "salary": 1, "languages": 1}  # fmt: skip
"""The projection rankings read per job (see CANDIDATE_FIELDS)."""


def candidate_profile_of_row(row: dict[str, Any]) -> CandidateProfile:
    """A profile from a stored row projected with CANDIDATE_FIELDS (rankings: no model parse)."""
    wish = row.get("desired_salary")
    return CandidateProfile(
        headline=row.get("headline", ""),
        summary=row.get("summary", ""),
        skills=tuple(row.get("skills", ())),
        years_experience=row.get("years_experience", 0),
        location=row.get("location", ""),
        open_to_remote=row.get("open_to_remote", False),
        desired_salary=DesiredSalary(wish["amount"], wish["currency"]) if wish else None,
        languages=tuple(row.get("languages", ())),
    )


def job_profile_of_row(row: dict[str, Any]) -> JobProfile:
    """A profile from a stored row projected with JOB_FIELDS, with `job_profile`'s rules."""
    must, nice = row.get("must_have_skills") or [], row.get("nice_to_have_skills") or []
    salary = row.get("salary")
    return JobProfile(
        title=row.get("title", ""),
        description=row.get("description", ""),
        must_have=tuple(must or ([] if nice else row.get("skills", []))),
        nice_to_have=tuple(nice),
        min_years=row.get("min_years_experience"),
        max_years=row.get("max_years_experience"),
        location=row.get("location", ""),
        remote_policy=RemotePolicy(row.get("remote_policy", RemotePolicy.ONSITE.value)),
        salary=SalaryBand(salary["min"], salary["max"], salary["currency"]) if salary else None,
        languages=tuple(row.get("languages", ())),
    )
