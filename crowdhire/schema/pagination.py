"""Relay connections: PageInfo, generic Edge/Connection and the window arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from crowdhire.loaders.pagination import Page

T = TypeVar("T")

First = Annotated[
    int | None,
    strawberry.argument(description="Return the first N items (1 to 100, default 20)."),
]
After = Annotated[
    str | None, strawberry.argument(description="Return items after this cursor (with `first`).")
]
Last = Annotated[int | None, strawberry.argument(description="Return the last N items (1 to 100).")]
Before = Annotated[
    str | None, strawberry.argument(description="Return items before this cursor (with `last`).")
]


@strawberry.type(description="Where a page sits in its connection.")
class PageInfo:
    """Relay page information."""

    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    # Sealing a cursor is an AES-SIV encryption: 100 of them for a page of 50 jobs with their
    # submissions, which rarely shows one. So they are made when asked for.
    cursor_of: strawberry.Private[Callable[[int], str | None]]

    @strawberry.field(description="Cursor of the first item.")
    def start_cursor(self) -> str | None:
        """Sealed on demand."""
        return self.cursor_of(0)

    @strawberry.field(description="Cursor of the last item.")
    def end_cursor(self) -> str | None:
        """Sealed on demand."""
        return self.cursor_of(-1)


@strawberry.type(description="One item of a connection and its cursor.")
class Edge(Generic[T]):
    """A Relay edge."""

    cursor: str = strawberry.field(description="Opaque position of this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items with cursors; `totalCount` counts all pages.")
class Connection(Generic[T]):
    """A Relay connection whose total count is computed only when asked for."""

    nodes: list[T] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    page: strawberry.Private[Page]

    @strawberry.field(description="The items of this page with cursors.")
    def edges(self) -> list[Edge[T]]:
        """Cursors are encoded only for clients that ask for edges."""
        cursors = [self.page.cursor_at(i) or "" for i in range(len(self.nodes))]
        return [Edge(cursor=c, node=n) for c, n in zip(cursors, self.nodes, strict=True)]

    @strawberry.field(description="How many items match, across all pages.")
    async def total_count(self) -> int:
        """Counted in MongoDB on demand, never by loading the list."""
        return await self.count()


def connection_from(
    page: Page, convert: Callable[[Any], T], count: Callable[[], Awaitable[int]]
) -> Connection[T]:
    """A connection from a loaded page, converting each model to its GraphQL type."""
    nodes = [convert(item) for item in page.items]
    info = PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        cursor_of=page.cursor_at,
    )
    return Connection(nodes=nodes, page_info=info, count=count, page=page)
