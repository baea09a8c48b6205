"""An HNSW graph (hnswlib) for `nearest`, for pools large enough to need it (MATCHING_INDEX=hnsw).

Measured with `make bench-ann` on one thread: the exact scan takes about 0.9 ms at 20,000
vectors and 7.8 ms at 100,000; the graph at ef 400 about 0.26 ms and 0.5 ms with recall@200
1.0 and 0.9998. At the issue's 20,000 that saving is under 2 % of a ranking and costs a 3 to 4 s
build at start-up, so `exact` is the default; around 100,000 the graph pays.

The exact matrix stays beside the graph: it answers `vector` and `cosines` (a pool's own
cosines) and holds what the graph is rebuilt from; the graph only answers `nearest`.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
from bson import ObjectId

from crowdhire.matching.embeddings import DIMENSIONS, Vectors
from crowdhire.matching.index import KindIndex

SEARCH_BREADTH = 400
"""ef at query time (at least k): recall@200 0.9998 at 100,000 vectors in the measurement."""
CONSTRUCTION_BREADTH = 200
LINKS = 16


def _hnswlib() -> Any:
    try:
        return importlib.import_module("hnswlib")
    except ImportError:
        raise RuntimeError(
            "MATCHING_INDEX=hnsw needs hnswlib: pip install 'crowdhire[ann]'"
        ) from None


class HnswKindIndex(KindIndex):
    """KindIndex whose `nearest` walks an HNSW graph; removals are the graph's tombstones,
    whose slots later insertions reuse."""

    def __init__(self) -> None:
        super().__init__()
        self._graph = _hnswlib().Index(space="ip", dim=DIMENSIONS)
        self._graph.init_index(max_elements=1024, ef_construction=CONSTRUCTION_BREADTH,
                               M=LINKS, allow_replace_deleted=True)  # fmt: skip
        self._graph.set_num_threads(1)
        self._labels: dict[ObjectId, int] = {}
        self._owners: dict[int, ObjectId] = {}
        self._next_label = 0

    def put(self, owner_id: ObjectId, vector: Vectors) -> None:
        """Insert or replace one vector (the graph updates a known label in place)."""
        super().put(owner_id, vector)
        label = self._labels.get(owner_id)
        if label is None:
            label, self._next_label = self._next_label, self._next_label + 1
            self._labels[owner_id], self._owners[label] = label, owner_id
            if self._graph.get_current_count() >= self._graph.get_max_elements():
                self._graph.resize_index(2 * self._graph.get_max_elements())
        row = np.asarray(vector, dtype=np.float32).reshape(1, DIMENSIONS)
        self._graph.add_items(row, [label], replace_deleted=True)

    def remove(self, owner_id: ObjectId) -> None:
        """Forget one vector (no-op when absent)."""
        super().remove(owner_id)
        label = self._labels.pop(owner_id, None)
        if label is not None:
            del self._owners[label]
            self._graph.mark_deleted(label)

    def nearest(self, query: Vectors, k: int) -> list[tuple[ObjectId, float]]:
        """About the k owners with the highest cosine, best first (exact if the graph can't
        return k, which happens only for tiny or heavily deleted graphs)."""
        k = min(k, len(self))
        if k <= 0:
            return []
        self._graph.set_ef(max(SEARCH_BREADTH, k))
        try:
            labels, distances = self._graph.knn_query(query, k=k)
        except RuntimeError:
            return super().nearest(query, k)
        return [(self._owners[int(label)], 1.0 - float(distance))
                for label, distance in zip(labels[0], distances[0], strict=True)]  # fmt: skip
