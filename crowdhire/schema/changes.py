"""`Query.changes`: the feed a partner polls to keep a copy of the records it may see."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.resolvers import changes as change_resolvers
from crowdhire.resolvers.argument_rules import capped_list
from crowdhire.resolvers.changes import Change, Operation, RecordType
from crowdhire.schema.ids import Node, encode_global_id
from crowdhire.schema.node import NODE_TYPES
from crowdhire.schema.pagination import PageInfo

strawberry.enum(Operation, name="ChangeOperation", description="What happened to a record.")
strawberry.enum(
    RecordType, name="ChangeRecordType", description="The kinds of record the feed follows."
)


@strawberry.type(name="Change", description="One record created, updated or deleted.")
class ChangeType:
    """A change as the feed shows it; the record is read as it is now."""

    cursor: str = strawberry.field(description="Opaque place of this change; poll after it.")
    operation: Operation = strawberry.field(
        description="CREATED or UPDATED: upsert `record`; DELETED (an erasure): drop the copy."
    )
    record_type: RecordType = strawberry.field(description="The kind of record.")
    record_id: strawberry.ID = strawberry.field(description="The record's opaque id (`node(id:)`).")
    changed_fields: list[str] = strawberry.field(
        description="Names of the fields that changed (never their values)."
    )
    occurred_at: datetime = strawberry.field(description="When the change was committed (UTC).")
    model: strawberry.Private[Change]

    @classmethod
    def from_change(cls, change: Change) -> ChangeType:
        """The GraphQL view of a change."""
        return cls(
            cursor=change.cursor,
            operation=change.operation,
            record_type=change.record_type,
            record_id=encode_global_id(change.record_type.value, change.record_id),
            changed_fields=list(change.changed_fields),
            occurred_at=change.occurred_at,
            model=change,
        )

    @strawberry.field(
        description="The record as the viewer may see it now; null for deletions and for"
        " records the viewer can no longer see."
    )
    async def record(self, info: Info) -> Node | None:
        """Through the batched loaders and the record's access rule."""
        if self.operation is Operation.DELETED:
            return None
        lookup, convert = NODE_TYPES[self.record_type.value]
        found = await lookup(info.context, self.model.record_id)
        if found is None or getattr(found, "erased_at", None) is not None:
            return None
        node: Node = convert(found)
        return node


@strawberry.type(name="ChangeEdge", description="A change and its cursor.")
class ChangeEdge:
    """A Relay edge of the changes feed."""

    cursor: str = strawberry.field(description="Opaque place of this change.")
    node: ChangeType = strawberry.field(description="The change.")


@strawberry.type(name="ChangeConnection", description="A page of changes in feed order.")
class ChangeConnection:
    """Changes oldest first; `pageInfo.endCursor` is always set, also on an empty page."""

    edges: list[ChangeEdge] = strawberry.field(description="The changes with their cursors.")
    nodes: list[ChangeType] = strawberry.field(description="The changes of this page.")
    page_info: PageInfo = strawberry.field(
        description="`endCursor` is where to poll from next, even when this page is empty."
    )


async def resolve_changes(
    info: Info,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="Changes after this cursor (a change's `cursor`, `endCursor`, or a"
            " DomainEvent `position`); omitted: from the oldest change kept."
        ),
    ] = None,
    types: Annotated[
        list[RecordType] | None,
        strawberry.argument(description="Only these kinds of record; omitted or empty: all."),
    ] = None,
    first: Annotated[
        int | None, strawberry.argument(description="At most this many changes (1 to 100, 20).")
    ] = None,
) -> ChangeConnection:
    """Created, updated and deleted records the viewer may see, in the order they happened."""
    wanted = capped_list(types, "types") or None
    page = await change_resolvers.list_changes(info.context, after, wanted, first)
    nodes = [ChangeType.from_change(change) for change in page.changes]
    ends = (nodes[0].cursor if nodes else None, page.end_cursor)
    info_ = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=after is not None,
        cursor_of=lambda index: ends[0] if index == 0 else ends[1],
    )
    edges = [ChangeEdge(cursor=node.cursor, node=node) for node in nodes]
    return ChangeConnection(edges=edges, nodes=nodes, page_info=info_)
