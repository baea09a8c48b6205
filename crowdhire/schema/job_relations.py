"""What a page of jobs loads for its nodes before the executor reaches them.

On the jobs page (50 jobs, each with its company and first 10 submissions) every job's
`company` and `submissions` used to be a coroutine: one awaitable, a task and a gather per job
and field in graphql-core, and two more tasks per job for the submissions' relations, about
270 tasks per request. The connection that loaded the jobs instead loads every job's company
and every job's window of submissions (and their candidates and recruiters) in one batch
each, the same batches as before; the fields then answer at once from the loaders.

Nothing here decides an answer. A window is looked up under the key its resolver computes
itself (`submissions_window_key`), arguments coerced by graphql-core as for the resolver
(crowdhire.schema.lookahead). Where this cannot tell, or a job's window is not the viewer's
to see, it loads nothing and that field loads and raises its own errors, at its own path, as
before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

from crowdhire.context import Info
from crowdhire.errors import CrowdhireError
from crowdhire.loaders.base import Pending
from crowdhire.loaders.children import ChildPageKey
from crowdhire.loaders.pagination import PageRequest
from crowdhire.loaders.submissions import SUBMISSIONS_BY_JOB_ID
from crowdhire.models.jobs import Job
from crowdhire.models.submissions import Stage, Submission
from crowdhire.resolvers import companies as company_resolvers
from crowdhire.resolvers import submissions as submission_resolvers
from crowdhire.resolvers.access import job_pipeline_criteria
from crowdhire.resolvers.argument_rules import capped_list, page_request
from crowdhire.resolvers.children import (
    children_count,
    children_page_now,
    prefetch_children_pages,
)
from crowdhire.schema.connections import (
    loaded_connection,
    prefetch_node_relations,
    unread_fields,
)
from crowdhire.schema.lookahead import NodeField, node_fields
from crowdhire.schema.pagination import Connection
from crowdhire.schema.relations import distinct_ids, selected_node_fields

_WINDOW_ARGUMENTS = ("first", "after", "last", "before")


def submissions_window_key(
    info: Info, job: Job, request: PageRequest, stages: tuple[Stage, ...]
) -> ChildPageKey:
    """The loader key of a job's window of submissions as `info`'s selection reads it; raises
    FORBIDDEN when the viewer may not see the job's pipeline."""
    visible = job_pipeline_criteria(info.context.viewer, job, "submissions")
    criteria = submission_resolvers.stage_criteria(stages, visible)
    assert job.id is not None, "a stored job always has an id"
    return ChildPageKey(job.id, request, criteria, unread_fields(info, Submission))


def submissions_now(
    info: Info, job: Job, window: tuple[Any, ...], stage: Iterable[Stage] | None
) -> Connection[Any] | None:
    """A job's window when a page of jobs prefetched it, else None (the resolver then loads
    it, and raises whatever its arguments or the viewer's rights make it raise)."""
    try:
        key = submissions_window_key(info, job, page_request(*window), capped_list(stage, "stage"))
    except CrowdhireError:
        return None
    context = info.context
    page = children_page_now(context, key, SUBMISSIONS_BY_JOB_ID)
    if isinstance(page, Pending):
        return None
    count = lambda: children_count(context, SUBMISSIONS_BY_JOB_ID, key.parent_id, key.criteria)  # noqa: E731
    return loaded_connection(Submission, page, count)


async def prefetch_job_relations(info: Info, jobs: list[Job]) -> None:
    """The companies and submission windows a page of jobs selects, one batch each."""
    selected = selected_node_fields(info)
    loads: list[Awaitable[object]] = []
    if "company" in selected:
        ids = distinct_ids(job.company_id for job in jobs)
        loads.append(company_resolvers.prefetch_companies(info.context, ids))
    if "submissions" in selected:
        loads.extend(_prefetch_windows(nested, jobs) for nested in node_fields(info, "submissions"))
    if loads:
        await asyncio.gather(*loads)


async def _prefetch_windows(nested: NodeField, jobs: list[Job]) -> None:
    arguments = nested.arguments
    order_by = arguments.get("orderBy")
    if order_by is not None and order_by.name == "MATCH_DESC":
        return  # as the resolver: ranked windows are computed per job (resolvers.match_order)
    try:
        request = page_request(*(arguments.get(name) for name in _WINDOW_ARGUMENTS))
        stages = capped_list(arguments.get("stage"), "stage")
    except CrowdhireError:
        return
    keys: list[ChildPageKey] = []
    for job in jobs:
        try:
            keys.append(submissions_window_key(nested.info, job, request, stages))
        except CrowdhireError:
            continue
    if not keys:
        return
    try:
        pages = await prefetch_children_pages(nested.info.context, SUBMISSIONS_BY_JOB_ID, keys)
        items = [item for page in pages for item in page.items]
        await prefetch_node_relations(nested.info, Submission, items)
    except Exception:  # noqa: BLE001 — the fields raise it, each at its path, from the same loads
        return
