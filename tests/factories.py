"""Test data factories: real Beanie documents inserted into the test database."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from crowdhire.models import Candidate, Company, Job, Placement, Recruiter, Submission
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.common import Money
from crowdhire.models.jobs import FeeTerms, JobStatus, SalaryRange
from crowdhire.models.placements import PaymentStatus
from crowdhire.models.submissions import Stage, StageChange

_counter = itertools.count(1)
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def _tick() -> datetime:
    """Strictly increasing timestamps so orderings are predictable."""
    return BASE_TIME + timedelta(minutes=next(_counter))


async def make_company(**fields: Any) -> Company:
    """A saved company."""
    n = next(_counter)
    values: dict[str, Any] = {
        "name": f"Company {n}",
        "slug": f"company-{n}",
        "website": f"https://company-{n}.example",
        "created_at": _tick(),
    }
    return await Company(**(values | fields)).insert()


async def make_recruiter(**fields: Any) -> Recruiter:
    """A saved recruiter."""
    n = next(_counter)
    values: dict[str, Any] = {
        "sub": f"auth0|test-recruiter-{n}",
        "display_name": f"Recruiter {n}",
        "email": f"recruiter{n}@example.test",
        "specialties": ["backend"],
        "created_at": _tick(),
    }
    return await Recruiter(**(values | fields)).insert()


async def make_candidate(recruiter: Recruiter, **fields: Any) -> Candidate:
    """A saved candidate who granted consent."""
    n = next(_counter)
    values: dict[str, Any] = {
        "recruiter_id": recruiter.id,
        "full_name": f"Candidate {n}",
        "headline": "Engineer",
        "email": f"candidate{n}@example.test",
        "phone": f"+1555000{n:04d}",
        "location": "Berlin",
        "skills": ["Python", "MongoDB"],
        "years_experience": 5,
        "consent": Consent(status=ConsentStatus.GRANTED, changed_at=BASE_TIME),
        "created_at": _tick(),
    }
    return await Candidate(**(values | fields)).insert()


async def make_job(company: Company, **fields: Any) -> Job:
    """A saved open job with percent fee terms."""
    n = next(_counter)
    values: dict[str, Any] = {
        "company_id": company.id,
        "title": f"Backend Engineer {n}",
        "description": "Build APIs in Python",
        "location": "Berlin",
        "salary": SalaryRange(min=60_000_00, max=80_000_00, currency="EUR"),
        "skills": ["python", "mongodb"],
        "status": JobStatus.OPEN,
        "fee_terms": FeeTerms(percent=20, currency="EUR", guarantee_days=90),
        "created_at": _tick(),
    }
    return await Job(**(values | fields)).insert()


async def make_submission(job: Job, candidate: Candidate, **fields: Any) -> Submission:
    """A saved submission by the candidate's recruiter."""
    at = _tick()
    values: dict[str, Any] = {
        "job_id": job.id,
        "candidate_id": candidate.id,
        "recruiter_id": candidate.recruiter_id,
        "company_id": job.company_id,
        "pitch": "Strong match",
        "history": [StageChange(from_stage=None, to_stage=Stage.SUBMITTED, at=at, actor="t")],
        "created_at": at,
    }
    return await Submission(**(values | fields)).insert()


async def make_placement(submission: Submission, job: Job, **fields: Any) -> Placement:
    """A saved placement for a hired submission, fee computed from the job's terms."""
    salary = 70_000_00
    fee = job.fee_terms.fee_for(salary)
    start = date(2026, 3, 1)
    values: dict[str, Any] = {
        "submission_id": submission.id,
        "job_id": job.id,
        "candidate_id": submission.candidate_id,
        "recruiter_id": submission.recruiter_id,
        "company_id": job.company_id,
        "start_date": start,
        "annual_salary": Money(amount=salary, currency="EUR"),
        "fee": Money(amount=fee, currency="EUR"),
        "recruiter_share": Money(amount=job.fee_terms.recruiter_share_of(fee), currency="EUR"),
        "guarantee_end_date": start + timedelta(days=90),
        "payment_status": PaymentStatus.UNPAID,
        "created_at": _tick(),
    }
    return await Placement(**(values | fields)).insert()


async def make_jobs_page_graph(jobs: int, submissions_per_job: int) -> list[Job]:
    """Jobs across a few companies, each with submissions by several recruiters."""
    companies = [await make_company() for _ in range(3)]
    recruiters = [await make_recruiter() for _ in range(4)]
    made: list[Job] = []
    for j in range(jobs):
        job = await make_job(companies[j % len(companies)])
        for s in range(submissions_per_job):
            candidate = await make_candidate(recruiters[(j + s) % len(recruiters)])
            await make_submission(job, candidate)
        made.append(job)
    return made
