"""Keyset pagination over MongoDB: orderings, opaque cursors, page windows.

A cursor is BSON{t: tag, v: [sort values…, _id]} sealed with the server key (cursor_seal);
the tag names the connection and ordering, so a cursor from another connection or ordering is
refused. Values are compared with `$eq`/`$gt`/`$lt` and must be BSON scalars, so even a cursor
that passed the seal can never carry a query operator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import bson
from bson import ObjectId
from bson.codec_options import CodecOptions
from bson.errors import BSONError

from crowdhire.errors import InvalidCursorError
from crowdhire.loaders.cursor_seal import seal, unseal

_CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)
MAX_CURSOR_LENGTH = 512
# what a sort key may hold: never a document or array (they would act as operators or paths)
SCALARS = (str, int, float, bool, datetime, ObjectId, type(None))


@dataclass(frozen=True)
class Ordering:
    """Sort fields (ending with `_id`) and the tag cursors of this ordering carry."""

    tag: str
    fields: tuple[tuple[str, int], ...]

    def sort(self, *, reverse: bool = False) -> list[tuple[str, int]]:
        """The MongoDB sort specification, optionally reversed."""
        return [(name, -direction if reverse else direction) for name, direction in self.fields]

    def values_of(self, doc: dict[str, Any]) -> list[Any]:
        """The sort key of a raw document."""
        return [_dig(doc, name) for name, _ in self.fields]


def _dig(doc: dict[str, Any], dotted: str) -> Any:
    value: Any = doc
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def ordering(tag: str, *fields: tuple[str, int]) -> Ordering:
    """An ordering over indexed fields with the `_id` tie-break appended."""
    last_direction = fields[-1][1] if fields else -1
    return Ordering(tag=tag, fields=(*fields, ("_id", last_direction)))


def encode_cursor(order: Ordering, doc: dict[str, Any]) -> str:
    """The opaque cursor that points just at this document."""
    return seal(bson.encode({"t": order.tag, "v": order.values_of(doc)}))


def decode_cursor(order: Ordering, cursor: str, *, argument: str) -> list[Any]:
    """The sort key inside a cursor; InvalidCursorError unless this ordering issued it."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursorError(f"`{argument}` is not a valid cursor", argument=argument)
    raw = unseal(cursor)
    if raw is None:
        raise InvalidCursorError(f"`{argument}` is not a valid cursor", argument=argument)
    try:
        payload = bson.decode(raw, codec_options=_CODEC)
    except (BSONError, ValueError, TypeError, IndexError) as error:
        raise InvalidCursorError(
            f"`{argument}` is not a valid cursor", argument=argument
        ) from error
    values = payload.get("v")
    if payload.get("t") != order.tag or not isinstance(values, list):
        raise InvalidCursorError(
            f"`{argument}` is a cursor from another list or ordering", argument=argument
        )
    if len(values) != len(order.fields) or not _scalar_key(values):
        raise InvalidCursorError(f"`{argument}` is not a valid cursor", argument=argument)
    return values


def _scalar_key(values: list[Any]) -> bool:
    return all(isinstance(v, SCALARS) for v in values) and isinstance(values[-1], ObjectId)


def keyset_filter(order: Ordering, values: Sequence[Any], *, forward: bool) -> dict[str, Any]:
    """Documents strictly after (forward) or before the given sort key."""
    branches: list[dict[str, Any]] = []
    for index, (name, direction) in enumerate(order.fields):
        ascending = (direction > 0) == forward
        branch: dict[str, Any] = {
            prior: {"$eq": values[i]} for i, (prior, _) in enumerate(order.fields[:index])
        }
        branch[name] = {"$gt" if ascending else "$lt": values[index]}
        branches.append(branch)
    return {"$or": branches}


@dataclass(frozen=True)
class PageRequest:
    """A validated Relay window: forward (first/after) or backward (last/before)."""

    limit: int
    forward: bool = True
    cursor: str | None = None
    cursor_argument: str = "after"

    def match(self, order: Ordering) -> dict[str, Any]:
        """The keyset condition for this window's cursor (empty without one)."""
        if self.cursor is None:
            return {}
        values = decode_cursor(order, self.cursor, argument=self.cursor_argument)
        return keyset_filter(order, values, forward=self.forward)


@dataclass
class Page:
    """One window of raw documents, in display order, with Relay page info."""

    docs: list[dict[str, Any]]
    order: Ordering
    has_next_page: bool
    has_previous_page: bool
    items: list[Any] = field(default_factory=list)

    def cursor_at(self, index: int) -> str | None:
        """The cursor of the item at `index` (computed on demand: most pages show none)."""
        if not -len(self.docs) <= index < len(self.docs):
            return None
        return encode_cursor(self.order, self.docs[index])


def window(docs: list[dict[str, Any]], request: PageRequest, order: Ordering) -> Page:
    """Trim the limit+1 fetched documents to a page in display order."""
    more = len(docs) > request.limit
    docs = docs[: request.limit]
    if request.forward:
        return Page(docs, order, has_next_page=more, has_previous_page=request.cursor is not None)
    docs.reverse()
    return Page(docs, order, has_next_page=request.cursor is not None, has_previous_page=more)
