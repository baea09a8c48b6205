"""Mutation payload pieces: typed user errors with a per-mutation code enum."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from bson import ObjectId

from crowdhire.resolvers.transactions import MutationRefused, Outcome, refuse
from crowdhire.schema.ids import parse_global_id

C = TypeVar("C", bound=Enum)

ClientMutationId = strawberry.field(
    default=None,
    description="Your idempotency key (1 to 128 chars): a retry returns the first result.",
)


@strawberry.type(description="An expected problem with the input; nothing was changed.")
class UserError(Generic[C]):
    """`field` is the path into the input (empty for the input as a whole)."""

    field: list[str] = strawberry.field(description="Path of the input field at fault.")
    code: C = strawberry.field(description="What went wrong, as a stable code.")
    message: str = strawberry.field(description="A human-readable explanation.")


E = TypeVar("E", bound="UserError[Any]")


def user_errors(outcome: Outcome, codes: type[C], error_type: type[E]) -> list[E]:
    """The outcome's errors as the mutation's GraphQL error type."""
    return [
        error_type(field=list(error.field), code=codes(error.code), message=error.message)
        for error in outcome.errors
    ]


def input_object_id(value: str, type_name: str, path: str) -> ObjectId:
    """An id from a mutation input; a malformed one aborts with INVALID_INPUT at `path`."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        raise refuse((path,), "INVALID_INPUT", f"{path} is not a valid {type_name} id")
    return parsed[1]


async def guarded(run: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """Run a mutation, turning input problems found before it started into user errors."""
    try:
        return await run()
    except MutationRefused as refused:
        return Outcome(errors=refused.errors)


Shown = TypeVar("Shown")
Found = TypeVar("Found")


async def shown_after(
    outcome: Outcome,
    name: str,
    load: Callable[[ObjectId], Awaitable[Found | None]],
    convert: Callable[[Found], Shown],
) -> Shown | None:
    """The object a mutation's outcome names under `name`, re-read as the viewer may now see it."""
    object_id = outcome.object_id(name)
    found = await load(object_id) if object_id is not None else None
    return convert(found) if found is not None else None
