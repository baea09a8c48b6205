"""One per process: the vector index, kept in step with MongoDB, and the embedding handler.

Start-up reads every stored vector; then a poll every `MATCHING_REFRESH_SECONDS` reads the
rows written since the last `updated_at` watermark, so vectors computed by another
instance's worker (which claimed the task) reach this instance's index within one period.
This process's own worker updates its index at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime
from typing import Any

from bson import ObjectId
from threadpoolctl import threadpool_limits

from crowdhire.matching import store
from crowdhire.matching.cv_text import cv_texts, with_cv
from crowdhire.matching.embeddings import loaded_encoder, model_version, shared_encoder
from crowdhire.matching.hnsw import HnswKindIndex
from crowdhire.matching.index import KindIndex, VectorIndex
from crowdhire.matching.profiles import candidate_profile, job_profile
from crowdhire.matching.skill_cache import SkillCache
from crowdhire.models.candidates import AutomatedRanking, Candidate
from crowdhire.models.common import utcnow
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.models.jobs import Job
from crowdhire.observability.lifecycle import cancel_and_wait

log = logging.getLogger("crowdhire.matching")


def text_hash(version: str, text: str) -> str:
    """Identifies what a vector was computed from (model and text)."""
    return hashlib.sha256(f"{version}\x00{text}".encode()).hexdigest()


async def embeddable_text(kind: EmbeddedKind, owner_id: ObjectId) -> str | None:
    """The text to embed, or None when the owner must not have a vector (gone, opted out)."""
    if kind is EmbeddedKind.JOB:
        job = await Job.get(owner_id)
        return None if job is None else job_profile(job).text
    candidate = await Candidate.get(owner_id)
    if (
        candidate is None
        or candidate.erased_at is not None
        or candidate.automated_ranking is AutomatedRanking.OPTED_OUT
    ):
        return None
    cv = (await cv_texts([owner_id])).get(owner_id)
    return with_cv(candidate_profile(candidate).text, cv)


class MatchingService:
    """The index, its refresh loop, and the `matching.embed` task handler."""

    def __init__(self, refresh_seconds: float = 5.0, index: str = "exact") -> None:
        self.model_version = model_version()
        kind_index = HnswKindIndex if index == "hnsw" else KindIndex
        self.index = VectorIndex(self.model_version, kind_index)
        self.skills = SkillCache()
        self._refresh_seconds = refresh_seconds
        self._watermark: datetime | None = None
        self._loops: list[asyncio.Task[Any]] = []

    async def refresh(self) -> int:
        """Apply every vector written since the watermark; how many rows were read."""
        started = utcnow()
        rows = await store.changed_since(self._watermark)
        for row in rows:
            if row.kind is EmbeddedKind.CANDIDATE:
                self.skills.forget(row.owner_id)  # the text, so maybe the skills, changed
            kind_index = self.index[row.kind]
            if row.vector is None or row.model_version != self.model_version:
                kind_index.remove(row.owner_id)
            else:
                kind_index.put(row.owner_id, row.vector)
        if rows:
            # Re-read the last few seconds next time (a write stamped then may commit late),
            # but nothing older: a bulk backfill is not read again on every poll.
            newest = max(row.updated_at for row in rows)
            self._watermark = min(newest, started - store.WATERMARK_OVERLAP)
        return len(rows)

    async def embed(self, payload: dict[str, Any]) -> None:
        """Compute (or delete) one vector; idempotent: an unchanged text is not recomputed."""
        kind, owner_id = EmbeddedKind(payload["kind"]), ObjectId(payload["id"])
        if kind is EmbeddedKind.CANDIDATE:
            self.skills.forget(owner_id)  # every edit queues this task: no shortlist lags here
        text = await embeddable_text(kind, owner_id)
        if text is None:
            await store.delete(kind, owner_id)
            self.index[kind].remove(owner_id)
            return
        digest = text_hash(self.model_version, text)
        stored = await store.find(kind, owner_id)
        if stored is not None and stored.text_hash == digest and stored.vector is not None:
            self.index[kind].put(owner_id, stored.vector)
            return
        encoder = await asyncio.to_thread(shared_encoder)
        (vector,) = await asyncio.to_thread(encoder.encode, [text])
        await store.save(kind, owner_id, self.model_version, digest, vector)
        self.index[kind].put(owner_id, vector)

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await self.refresh()
            except Exception:
                log.warning("vector index refresh failed", exc_info=True)

    async def start(self, *, load_model: bool) -> None:
        """Load the model (once per process, before serving: every instance then scores skill
        names alike, and the load never competes with requests), rebuild the index, then poll."""
        # One BLAS thread: a request's matrix product over the index is a matrix-vector
        # product (faster on one core here), and idle OpenBLAS threads spin, burning the CPU
        # other requests and instances need (measured: half the app CPU of a ranking).
        threadpool_limits(limits=1, user_api="blas")
        if load_model and loaded_encoder() is None:
            await asyncio.to_thread(shared_encoder)
        await self.refresh()
        vectors = sum(map(len, self.index.kinds.values()))
        log.info("vector index rebuilt", extra={"vectors": vectors})
        self._loops.append(asyncio.create_task(self._refresh_loop()))

    async def stop(self) -> None:
        """Cancel the poll."""
        await cancel_and_wait(self._loops, "vector index refresh")
        self._loops = []
