"""The in-memory vector index: exact cosine top-k with one numpy matrix product per kind.

At 20,000 candidates of 256 dimensions a query is one 20 MB float32 scan (about 1 ms on one
core here, `make bench-ann`): an HNSW graph would save under a millisecond per ranking and cost
a build at every start-up; around 100,000 vectors it starts to pay, and Atlas `$vectorSearch`
takes over beyond that.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np
from bson import ObjectId

from crowdhire.matching.embeddings import DIMENSIONS, Vectors
from crowdhire.models.embeddings import EmbeddedKind


class KindIndex:
    """Vectors of one kind in a growable matrix; removal swaps the last row in."""

    def __init__(self) -> None:
        self._matrix: Vectors = np.zeros((1024, DIMENSIONS), dtype=np.float32)
        self._ids: list[ObjectId] = []
        self._rows: dict[ObjectId, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def put(self, owner_id: ObjectId, vector: Vectors) -> None:
        """Insert or replace one vector."""
        row = self._rows.get(owner_id)
        if row is None:
            row = len(self._ids)
            if row == len(self._matrix):
                self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
            self._ids.append(owner_id)
            self._rows[owner_id] = row
        self._matrix[row] = vector

    def remove(self, owner_id: ObjectId) -> None:
        """Forget one vector (no-op when absent)."""
        row = self._rows.pop(owner_id, None)
        if row is None:
            return
        last = len(self._ids) - 1
        if row != last:
            moved = self._ids[last]
            self._matrix[row] = self._matrix[last]
            self._ids[row] = moved
            self._rows[moved] = row
        self._ids.pop()

    def vector(self, owner_id: ObjectId) -> Vectors | None:
        """The stored vector, or None."""
        row = self._rows.get(owner_id)
        return None if row is None else self._matrix[row]

    def cosines(self, query: Vectors, owner_ids: Collection[ObjectId]) -> dict[ObjectId, float]:
        """Cosine of the query with each of these owners that has a vector."""
        rows = [(oid, r) for oid in owner_ids if (r := self._rows.get(oid)) is not None]
        if not rows:
            return {}
        values = self._matrix[[r for _, r in rows]] @ query
        return {oid: float(v) for (oid, _), v in zip(rows, values, strict=True)}

    def nearest(self, query: Vectors, k: int) -> list[tuple[ObjectId, float]]:
        """The k owners with the highest cosine, best first."""
        count = len(self._ids)
        if count == 0 or k <= 0:
            return []
        values = self._matrix[:count] @ query
        k = min(k, count)
        top = np.argpartition(-values, k - 1)[:k]
        top = top[np.argsort(-values[top], kind="stable")]
        return [(self._ids[i], float(values[i])) for i in top]


class VectorIndex:
    """One KindIndex per embedded kind, for the model version this process runs."""

    def __init__(self, model_version: str, kind_index: Callable[[], KindIndex] = KindIndex) -> None:
        self.model_version = model_version
        self.kinds = {kind: kind_index() for kind in EmbeddedKind}

    def __getitem__(self, kind: EmbeddedKind) -> KindIndex:
        return self.kinds[kind]
