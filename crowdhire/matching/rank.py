"""Ranking scored pairs and paging through the ranking with keyset cursors on (score, id)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bson import ObjectId

from crowdhire.matching.score import MatchScore

T = TypeVar("T")


@dataclass(frozen=True)
class Ranked(Generic[T]):
    """One ranked item: the document, its id and its score."""

    owner_id: ObjectId
    item: T
    match: MatchScore

    @property
    def key(self) -> tuple[float, ObjectId]:
        """The sort key: higher scores first, then newer ids first."""
        return (self.match.score, self.owner_id)


def ranked(items: Sequence[Ranked[T]]) -> list[Ranked[T]]:
    """Best first; ties break on id so every page boundary is stable."""
    return sorted(items, key=lambda entry: entry.key, reverse=True)


def after(items: list[Ranked[T]], score: float, owner_id: ObjectId) -> list[Ranked[T]]:
    """The part of a ranking strictly after the cursor's (score, id)."""
    return [entry for entry in items if entry.key < (score, owner_id)]
