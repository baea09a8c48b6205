"""Job loaders."""

from __future__ import annotations

from pymongo import DESCENDING

from crowdhire.loaders.base import ByIdLoader, CachedKind
from crowdhire.loaders.children import ChildRelation
from crowdhire.loaders.pagination import ordering
from crowdhire.models.jobs import Job

JOBS_BY_PARENT_ORDER = ordering("jobs.nested", ("created_at", DESCENDING))


class JobByIdLoader(ByIdLoader[Job]):
    """Jobs by id, read through the cache."""

    model = Job
    kind = CachedKind.JOBS


JOBS_BY_COMPANY_ID = ChildRelation(Job, "company_id", JOBS_BY_PARENT_ORDER)
