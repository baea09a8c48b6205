"""A company's public careers page: the company by its slug, its open jobs, a job by its slug.

A job's public slug is its title in URL form followed by its id (`staff-engineer-65f1…`). Only
the id part is looked up, so links keep working after a title change and the slug never needs
storing or migrating.
"""

from __future__ import annotations

import re
import unicodedata

from bson import ObjectId
from bson.errors import InvalidId

from crowdhire.context import Context
from crowdhire.models.companies import Company
from crowdhire.models.jobs import Job, JobStatus
from crowdhire.resolvers.jobs import JobCriteria, job_by_id

MAX_TITLE_PART = 60


def job_slug(job: Job) -> str:
    """`title-in-url-form-<id>`: readable, and stable where it matters (the id)."""
    ascii_title = unicodedata.normalize("NFKD", job.title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:MAX_TITLE_PART]
    words = words.rstrip("-")
    return f"{words}-{job.id}" if words else str(job.id)


def job_id_of_slug(slug: str) -> ObjectId | None:
    """The id at the end of a job slug; None for anything else."""
    try:
        return ObjectId(slug.rsplit("-", 1)[-1])
    except (InvalidId, TypeError):
        return None


async def company_by_slug(slug: str) -> Company | None:
    """The company with this slug (every company's profile is public)."""
    found: Company | None = await Company.find_one(Company.slug == slug)
    return found


def open_jobs_of(company: Company) -> JobCriteria:
    """The careers page lists the company's OPEN jobs only, whoever is looking."""
    return JobCriteria(statuses=(JobStatus.OPEN,), company_id=company.id)


async def open_job_by_slug(context: Context, company: Company, slug: str) -> Job | None:
    """An OPEN job of this company by its slug; None when missing, elsewhere or not open."""
    job_id = job_id_of_slug(slug)
    if job_id is None:
        return None
    job = await job_by_id(context, job_id)
    if job is None or job.company_id != company.id or job.status != JobStatus.OPEN:
        return None
    return job
