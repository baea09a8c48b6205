"""Job loaders."""

from __future__ import annotations

from pymongo import DESCENDING

from crowdhire.loaders.base import ByIdLoader, ChildCountLoader, ChildPageLoader
from crowdhire.loaders.pagination import ordering
from crowdhire.models.jobs import Job

JOBS_BY_PARENT_ORDER = ordering("jobs.nested", ("created_at", DESCENDING))


class JobByIdLoader(ByIdLoader[Job]):
    """Jobs by id, read through the cache."""

    model = Job
    kind = "jobs"


class JobsByCompanyIdLoader(ChildPageLoader):
    """A page of each company's jobs, newest first."""

    model = Job
    foreign_key = "company_id"
    order = JOBS_BY_PARENT_ORDER


class JobCountByCompanyIdLoader(ChildCountLoader):
    """How many jobs each company has."""

    model = Job
    foreign_key = "company_id"
