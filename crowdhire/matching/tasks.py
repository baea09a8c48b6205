"""Embedding work goes through the shared durable queue, enqueued inside the write's transaction."""

from __future__ import annotations

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.tasks import queue

EMBED_TASK = "matching.embed"


async def enqueue_embedding(
    kind: EmbeddedKind, owner_id: ObjectId, session: AsyncClientSession | None = None
) -> None:
    """Queue (re)computing one vector; a pending task for the same owner absorbs this one."""
    await queue.enqueue(
        EMBED_TASK,
        {"kind": kind.value, "id": str(owner_id)},
        session=session,
        dedupe_key=f"{EMBED_TASK}:{kind.value}:{owner_id}",
    )
