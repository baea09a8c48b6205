"""The tags a write command bumps, from the command and the documents the request saw.

A write names its documents by `_id`; which partitions they were in comes from the states the
same request read before the write (the mutation loads what it changes), and which they are in
after from the values the update assigns. When either is unknown, the write bumps the
collection's unanalysed tag, which every answer that read the collection carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crowdhire.tags.reads import (
    PARTITIONS,
    UNOBSERVED,
    document_tags,
    ids_in,
    normalized,
    unanalysed_tag,
)

SET_OPERATORS = frozenset({"$set", "$setOnInsert"})


@dataclass(frozen=True)
class Change:
    """One write command as issued, in order with the states the request saw."""

    collection: str
    name: str
    body: Mapping[str, Any]
    seq: int


@dataclass
class Seen:
    """Full documents the request read, by collection and id, each with its sequence number."""

    states: dict[tuple[str, Any], list[tuple[int, Any]]] = field(default_factory=dict)
    seq: int = 0

    def tick(self) -> int:
        """The next sequence number."""
        self.seq += 1
        return self.seq

    def add(self, collection: str, object_id: Any, state: Any) -> None:
        """Remember one document as read now."""
        self.states.setdefault((collection, object_id), []).append((self.tick(), state))

    def of(self, collection: str, object_id: Any, before: int | None = None) -> list[Any]:
        """The states seen of one document (only those read before `before`, if given)."""
        found = self.states.get((collection, object_id), [])
        return [state for seq, state in found if before is None or seq < before]


def field_of(state: Any, name: str) -> Any:
    """A field of a raw document or of a document model."""
    if isinstance(state, Mapping):
        return state.get(name)
    return getattr(state, name, None)


@dataclass(frozen=True)
class Update:
    """What an update does to top-level fields."""

    fields: set[str]
    assigned: dict[str, Any]
    replaces: bool


def update_of(body: Any) -> Update | None:
    """The fields an update document changes (None: a pipeline, or operators on the root)."""
    if not isinstance(body, Mapping):
        return None
    if not any(key.startswith("$") for key in body):
        replaced = {key: value for key, value in body.items() if key != "_id"}
        return Update(set(replaced), replaced, replaces=True)
    fields: set[str] = set()
    assigned: dict[str, Any] = {}
    for operator, changes in body.items():
        if not operator.startswith("$") or not isinstance(changes, Mapping):
            return None
        for path, value in changes.items():
            top = path.split(".", 1)[0]
            fields.add(top)
            if operator in SET_OPERATORS and "." not in path:
                assigned[top] = value
    return Update(fields, assigned, replaces=False)


def _updated(change: Change, object_id: Any, update: Update, seen: Seen) -> set[str] | None:
    collection = change.collection
    if not update.replaces and update.fields <= UNOBSERVED.get(collection, frozenset()):
        return set()
    before = seen.of(collection, object_id, change.seq)
    every = seen.of(collection, object_id)
    values: dict[str, set[str]] = {}
    for name in PARTITIONS.get(collection, ()):
        if update.replaces or name in update.fields:
            if name not in update.assigned and not update.replaces:
                return None  # changed by an operator whose result this cannot know
            if not before:
                return None
            old = {normalized(field_of(state, name)) for state in before}
            values[name] = old | {normalized(update.assigned.get(name))}
        else:
            if not every:
                return None
            values[name] = {normalized(field_of(state, name)) for state in every}
    return document_tags(collection, object_id, values)


def _removed(change: Change, object_id: Any, seen: Seen) -> set[str] | None:
    states = seen.of(change.collection, object_id, change.seq)
    names = PARTITIONS.get(change.collection, ())
    if names and not states:
        return None
    values = {name: {normalized(field_of(s, name)) for s in states} for name in names}
    return document_tags(change.collection, object_id, values)


def _statement_tags(
    change: Change, query: Any, body: Any, remove: bool, seen: Seen
) -> set[str] | None:
    ids = ids_in(query)
    if ids is None:
        return None
    update = None if remove else update_of(body)
    if not remove and update is None:
        return None
    tags: set[str] = set()
    for object_id in ids:
        found = (
            _removed(change, object_id, seen)
            if update is None
            else _updated(change, object_id, update, seen)
        )
        if found is None:
            return None
        tags |= found
    return tags


def _inserted(change: Change) -> set[str] | None:
    tags: set[str] = set()
    names = PARTITIONS.get(change.collection, ())
    for document in change.body.get("documents", ()):
        if not isinstance(document, Mapping) or "_id" not in document:
            return None
        values = {name: {normalized(document.get(name))} for name in names}
        tags |= document_tags(change.collection, document["_id"], values)
    return tags


def change_tags(change: Change, seen: Seen) -> set[str]:
    """The tags one write command bumps."""
    body = change.body
    found: set[str] | None = set()
    if change.name == "insert":
        found = _inserted(change)
    elif change.name == "update":
        for statement in body.get("updates", ()):
            part = _statement_tags(change, statement.get("q"), statement.get("u"), False, seen)
            found = None if part is None or found is None else found | part
    elif change.name == "delete":
        for statement in body.get("deletes", ()):
            part = _statement_tags(change, statement.get("q"), None, True, seen)
            found = None if part is None or found is None else found | part
    elif change.name == "findAndModify":
        remove = bool(body.get("remove"))
        found = _statement_tags(change, body.get("query"), body.get("update"), remove, seen)
    else:
        found = None
    return {unanalysed_tag(change.collection)} if found is None else found
