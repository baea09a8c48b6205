"""`crowdhire embeddings backfill`: embed every job and candidate missing a current vector.

Runs in the CLI's own process, in batches (one bulk write each), so it neither floods the
shared task queue nor waits on a worker; running it twice does nothing the second time.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bson import ObjectId
from tqdm import tqdm

from crowdhire.matching import store
from crowdhire.matching.cv_text import cv_texts, with_cv
from crowdhire.matching.embeddings import shared_encoder
from crowdhire.matching.profiles import candidate_profile, job_profile
from crowdhire.matching.service import text_hash
from crowdhire.models import Candidate, Job
from crowdhire.models.candidates import AutomatedRanking
from crowdhire.models.embeddings import EmbeddedKind

BATCH = 512


def _text_of(kind: EmbeddedKind, raw: dict[str, Any], cvs: dict[ObjectId, str]) -> str | None:
    if kind is EmbeddedKind.JOB:
        return job_profile(Job.model_validate(raw)).text
    candidate = Candidate.model_validate(raw)
    if candidate.erased_at is not None or candidate.automated_ranking is AutomatedRanking.OPTED_OUT:
        return None
    return with_cv(candidate_profile(candidate).text, cvs.get(raw["_id"]))


async def _backfill_kind(kind: EmbeddedKind, progress: bool) -> int:
    model = Job if kind is EmbeddedKind.JOB else Candidate
    collection = model.get_pymongo_collection()
    encoder = await asyncio.to_thread(shared_encoder)
    total = await collection.count_documents({})
    done = 0
    bar = tqdm(total=total, desc=f"embedding {kind.value}s", unit="doc", disable=not progress)
    batch: list[dict[str, Any]] = []

    async def flush() -> int:
        ids: list[ObjectId] = [raw["_id"] for raw in batch]
        stale = await store.missing_or_stale(kind, ids, encoder.version)
        cvs = await cv_texts(list(stale)) if kind is EmbeddedKind.CANDIDATE else {}
        texts = {raw["_id"]: _text_of(kind, raw, cvs) for raw in batch if raw["_id"] in stale}
        pending = [(oid, text) for oid, text in texts.items() if text is not None]
        vectors = await asyncio.to_thread(encoder.encode, [text for _, text in pending])
        rows = [(oid, text_hash(encoder.version, text), vector)
                for (oid, text), vector in zip(pending, vectors, strict=True)]  # fmt: skip
        await store.save_many(kind, encoder.version, rows)
        bar.update(len(batch))
        batch.clear()
        return len(rows)

    async for raw in collection.find({}):
        batch.append(raw)
        if len(batch) >= BATCH:
            done += await flush()
    if batch:
        done += await flush()
    bar.close()
    return done


async def backfill(progress: bool = True) -> dict[str, int]:
    """Embed what is missing or stale; how many vectors were written per kind."""
    return {kind.value: await _backfill_kind(kind, progress) for kind in EmbeddedKind}
