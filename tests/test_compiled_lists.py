"""Lists of plain objects complete straight into `execute_fields`, with graphql-core's answers.

A small schema puts every case graphql-core's list completion tells apart into lists: a
non-null field failing inside a nullable item and inside a non-null one (null propagation to
the item, to the list), a null item, an awaitable field failing inside an item, nested lists,
an item `is_type_of` refuses, and `@stream`. Compiled and standard executors must give the
same data and the same errors at the same paths, in the same order; plain lists must take
the short path (no per-item `complete_list_item_value`) and the others graphql-core's.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from strawberry.types import ExecutionResult

from crowdhire.graphql.compiled import CompiledExecutionContext


@strawberry.interface(description="Anything with a name.")
class _Named:
    name: str = strawberry.field(description="Its name.")


@strawberry.type(name="Item", description="One item.")
class _Item(_Named):
    fail: bool = strawberry.field(default=False, description="Whether `checked` raises.")

    @strawberry.field(description="Raises for a failing item (non-null: the error propagates).")
    def checked(self) -> str:
        if self.fail:
            raise ValueError(f"{self.name} failed")
        return self.name

    @strawberry.field(description="The same, after an await.")
    async def later(self) -> str:
        await asyncio.sleep(0)
        if self.fail:
            raise ValueError(f"{self.name} failed later")
        return self.name


@strawberry.type(name="Other", description="Not an item.")
class _Other(_Named):
    pass


def _items(*failing: int, count: int = 4) -> list[_Item | None]:
    return [_Item(name=f"i{n}", fail=n in failing) for n in range(count)]


@strawberry.type(description="Lists of every kind.")
class _ListQuery:
    @strawberry.field(description="Non-null items, one failing.")
    def strict(self) -> list[_Item] | None:
        return [item for item in _items(2) if item is not None]

    @strawberry.field(description="Nullable items, two failing.")
    def loose(self) -> list[_Item | None]:
        return _items(1, 3)

    @strawberry.field(description="A null among the items.")
    def holes(self) -> list[_Item | None]:
        return [_Item(name="a"), None, _Item(name="b")]

    @strawberry.field(description="Lists of lists.")
    def nested(self) -> list[list[_Item | None] | None]:
        return [_items(), _items(0), []]

    @strawberry.field(description="Items, none failing.")
    def plain(self) -> list[_Item]:
        return [item for item in _items(count=5) if item is not None]

    @strawberry.field(description="Items typed as the interface: abstract, graphql-core's path.")
    def named(self) -> list[_Named]:
        return [_Item(name="x"), _Other(name="y")]

    @strawberry.field(description="Something that is no Item in an Item list.")
    def impostor(self) -> list[_Item | None]:
        return [_Item(name="ok"), SimpleNamespace(name="odd")]  # type: ignore[list-item]


class _Counting(CompiledExecutionContext):
    """Counts graphql-core's per-item completions (the path the short one replaces)."""

    items_completed = 0

    def complete_list_item_value(self, *args: Any, **kwargs: Any) -> bool:
        type(self).items_completed += 1
        return super().complete_list_item_value(*args, **kwargs)


DOCUMENTS = {
    "strict": "{ strict { name checked } }",
    "loose": "{ loose { name checked } }",
    "holes": "{ holes { name } }",
    "nested": "{ nested { name checked } }",
    "plain": "{ plain { name } }",
    "later": "{ strict { later } loose { name later } }",
    "named": "{ named { name ... on Item { checked } } }",
    "impostor": "{ impostor { name } }",
    "stream": "{ plain @stream(initialCount: 1) { name } }",
}


def _shown(result: ExecutionResult) -> tuple[Any, list[tuple[str, Any]]]:
    """The data, and the errors' messages and paths in order."""
    return result.data, [(error.message, error.path) for error in result.errors or []]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
async def test_lists_complete_as_graphql_core_completes_them(name: str) -> None:
    standard = strawberry.Schema(query=_ListQuery, types=[_Other])
    compiled = strawberry.Schema(
        query=_ListQuery, types=[_Other], execution_context_class=_Counting
    )
    document = DOCUMENTS[name]
    expected = await standard.execute(document)
    _Counting.items_completed = 0
    answered = await compiled.execute(document)
    assert _shown(answered) == _shown(expected)
    if name in ("plain", "strict", "loose", "later"):
        assert _Counting.items_completed == 0, "a plain list took graphql-core's per-item path"
    if name in ("holes", "named", "impostor"):
        assert _Counting.items_completed > 0
    if name in ("strict", "loose", "later", "nested", "impostor"):
        assert expected.errors, "the case must really raise"
