"""Reads of a parent's children (a job's submissions, a recruiter's candidates…), batched.

`criteria` narrows the children to what the viewer may see; callers take it from the access
rules, so the loaders stay free of authorization.
"""

from __future__ import annotations

from collections.abc import Awaitable

from bson import ObjectId

from crowdhire.context import Context
from crowdhire.loaders.base import Criteria, Pending, loaded
from crowdhire.loaders.children import ChildCountKey, ChildPageKey, ChildRelation
from crowdhire.loaders.pagination import Page, PageRequest


async def children_page(
    context: Context,
    relation: ChildRelation,
    parent_id: ObjectId,
    request: PageRequest,
    criteria: Criteria = (),
    omit: frozenset[str] = frozenset(),
) -> Page:
    """One window of a parent's children, batched across parents; the fields in `omit` (the
    caller's selection does not read them) are not fetched and hold `NotLoaded`."""
    key = ChildPageKey(parent_id, request, criteria, omit)
    return await context.loaders.children.pages(relation).load(key)


def children_page_now(
    context: Context, key: ChildPageKey, relation: ChildRelation
) -> Page | Pending:
    """`children_page` for `key` when this request already loaded it, else PENDING."""
    return loaded(context.loaders.children.pages(relation), key)


def prefetch_children_pages(
    context: Context, relation: ChildRelation, keys: list[ChildPageKey]
) -> Awaitable[list[Page]]:
    """Many parents' windows in this request's batch (what `children_page` then finds); a
    future, as the other prefetches (`resolvers.jobs.prefetch_jobs`)."""
    return context.loaders.children.pages(relation).load_many(keys)


async def children_count(
    context: Context, relation: ChildRelation, parent_id: ObjectId, criteria: Criteria = ()
) -> int:
    """How many children a parent has under `criteria`, batched across parents."""
    return await context.loaders.children.counts(relation).load(ChildCountKey(parent_id, criteria))
