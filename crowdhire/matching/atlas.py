"""MongoDB Atlas Vector Search: the index definition and the `$vectorSearch` query.

With `MATCHING_VECTOR_SEARCH=atlas` candidate generation asks Atlas instead of the
in-process index (no per-instance memory, no refresh lag). Create the index once, in the
Atlas UI or with `db.embeddings.createSearchIndex(name, "vectorSearch", definition)`.
Self-hosted mongod has no `$vectorSearch` (it is an Atlas/mongot stage), so only the
pipeline's shape is tested here.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from crowdhire.matching.embeddings import DIMENSIONS, Vectors
from crowdhire.matching.store import as_binary
from crowdhire.models.embeddings import EmbeddedKind, Embedding

CANDIDATES_PER_RESULT = 10
"""numCandidates = k times this: Atlas recommends 10 to 20 times for good HNSW recall."""


def index_definition() -> dict[str, Any]:
    """The Atlas Vector Search index on `embeddings` (cosine over unit vectors)."""
    return {
        "fields": [
            {"type": "vector", "path": "vector", "numDimensions": DIMENSIONS,
             "similarity": "cosine"},
            {"type": "filter", "path": "kind"},
            {"type": "filter", "path": "model_version"},
            {"type": "filter", "path": "deleted"},
        ]
    }  # fmt: skip


def vector_search_pipeline(
    index_name: str, kind: EmbeddedKind, model_version: str, query: Vectors, k: int
) -> list[dict[str, Any]]:
    """The aggregation that returns the k nearest live vectors of one kind and model."""
    return [
        {
            "$vectorSearch": {
                "index": index_name,
                "path": "vector",
                "queryVector": as_binary(query),
                "numCandidates": k * CANDIDATES_PER_RESULT,
                "limit": k,
                "filter": {
                    "kind": kind.value,
                    "model_version": model_version,
                    "deleted": False,
                },
            }
        },
        {"$project": {"_id": 0, "owner_id": 1, "score": {"$meta": "vectorSearchScore"}}},
    ]


async def nearest(
    index_name: str, kind: EmbeddedKind, model_version: str, query: Vectors, k: int
) -> list[ObjectId]:
    """Owner ids of the k nearest vectors, best first (Atlas only)."""
    pipeline = vector_search_pipeline(index_name, kind, model_version, query, k)
    cursor = await Embedding.get_pymongo_collection().aggregate(pipeline)
    return [row["owner_id"] async for row in cursor]
