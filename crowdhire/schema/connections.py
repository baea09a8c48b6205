"""Relay connections of models: the nested child lists and the root lists share these.

A connection field names its relation and the viewer's criteria; the GraphQL node type of each
model comes from a registry the type modules fill when they are defined, so a field can answer
with a sibling's type without importing it at run time (the types import one another).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from beanie import Document
from bson import ObjectId

from crowdhire.context import Info
from crowdhire.loaders.base import Criteria
from crowdhire.loaders.children import ChildRelation
from crowdhire.loaders.pagination import Page
from crowdhire.models import Candidate, Company, Job, Placement, Recruiter, Submission
from crowdhire.resolvers.argument_rules import page_request
from crowdhire.resolvers.children import children_count, children_page
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.relations import selected_node_fields

Prefetch = Callable[[Info, list[Any]], Awaitable[None]]
"""Loads, in one batch each, the relations a page's nodes select (see schema/relations.py)."""


@dataclass(frozen=True)
class NodeView:
    """How a model becomes its GraphQL type, and what to prefetch for a page of them.

    `sole_readers`: stored fields that only one GraphQL field of the type reads (a
    submission's `history`, five timestamped entries that a pipeline page rarely shows), by
    that field's name, or None for a field no GraphQL field reads (hashed matching keys); a
    page whose nodes do not select that field is read without them.
    """

    convert: Callable[[Any], Any]
    prefetch: Prefetch | None = None
    sole_readers: Mapping[str, str | None] | None = None


_VIEWS: dict[type[Document], NodeView] = {}


def register_node_view(
    model: type[Document],
    convert: Callable[[Any], Any],
    prefetch: Prefetch | None = None,
    sole_readers: Mapping[str, str | None] | None = None,
) -> None:
    """Declare `model`'s GraphQL type (called once per type module, at import)."""
    _VIEWS[model] = NodeView(convert, prefetch, sole_readers)


def unread_fields(info: Info, model: type[Document]) -> frozenset[str]:
    """The stored fields no node of this connection reads (see NodeView.sole_readers)."""
    view = _VIEWS.get(model)
    if view is None or not view.sole_readers or not info.context.settings.projected_pages:
        return frozenset()
    selected = selected_node_fields(info)
    return frozenset(stored for stored, field in view.sole_readers.items() if field not in selected)


async def prefetch_node_relations(info: Info, model: type[Document], items: list[Any]) -> None:
    """What the nodes of this connection select, loaded for `items` in one batch each (the
    items may come from several pages: a page of jobs prefetches every job's window)."""
    view = _VIEWS[model]
    if view.prefetch is not None and items:
        await view.prefetch(info, items)


def loaded_connection(
    model: type[Document], page: Page, count: Callable[[], Awaitable[int]]
) -> Connection[Any]:
    """A page whose relations a parent already prefetched, as a connection of `model`'s type."""
    return connection_from(page, _VIEWS[model].convert, count)


async def connection_of(
    info: Info, model: type[Document], page: Page, count: Callable[[], Awaitable[int]]
) -> Connection[Any]:
    """A loaded page as a connection of `model`'s GraphQL type, its relations prefetched."""
    await prefetch_node_relations(info, model, page.items)
    return loaded_connection(model, page, count)


async def child_connection(
    info: Info,
    relation: ChildRelation,
    parent_id: ObjectId | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    criteria: Criteria = (),
) -> Connection[Any]:
    """A window of a parent's children with a lazy `totalCount`."""
    assert parent_id is not None, "a stored parent always has an id"
    context = info.context
    request = page_request(first, after, last, before)
    omit = unread_fields(info, relation.model)
    page = await children_page(context, relation, parent_id, request, criteria, omit)
    count = lambda: children_count(context, relation, parent_id, criteria)  # noqa: E731
    return await connection_of(info, relation.model, page, count)


ParentCriteria = Callable[[Any, Info], Criteria]
"""The children of `parent` that the viewer may see (raising FORBIDDEN when none)."""


_NODE_TYPE_OF: dict[type[Document], str] = {
    Company: "CompanyType",
    Job: "JobType",
    Recruiter: "RecruiterType",
    Candidate: "CandidateType",
    Submission: "SubmissionType",
    Placement: "PlacementType",
}
"""The GraphQL type of each model, named lazily: the type modules import one another."""


def child_connection_field(
    relation: ChildRelation,
    *,
    description: str,
    criteria: ParentCriteria | None = None,
    nullable: bool = False,
) -> Any:
    """A Relay connection field over `relation`, with the four window arguments.

    `nullable` for fields that answer null with FORBIDDEN at their path.
    """
    model = relation.model
    module = f"crowdhire.schema.{model.Settings.name}"  # type modules are named like collections
    annotated: Any = Annotated  # built at run time: mypy cannot check a computed annotation
    node = annotated[_NODE_TYPE_OF[model], strawberry.lazy(module)]

    async def resolve(
        self: Any,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Any]:
        visible = criteria(self, info) if criteria is not None else ()
        parent_id = self.model.id
        return await child_connection(
            info, relation, parent_id, first, after, last, before, visible
        )

    generic: Any = Connection
    connection = generic[node]
    resolve.__annotations__["return"] = connection | None if nullable else connection
    return strawberry.field(resolver=resolve, description=description)
