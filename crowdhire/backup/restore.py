"""`backup restore`: a snapshot, then the oplog replayed up to the chosen time, into a new database.

Everything is checked first (crowdhire.backup.plan) and the target must be empty, so bad input
writes nothing; should writing fail halfway, the half-restored database is dropped again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from beanie import init_beanie
from bson.raw_bson import RawBSONDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import InvalidName

from crowdhire.backup import erasures
from crowdhire.backup.cluster_time import Client
from crowdhire.backup.errors import BackupError
from crowdhire.backup.files import read_documents
from crowdhire.backup.plan import RestorePlan
from crowdhire.backup.replay import Replayer, entry
from crowdhire.backup.snapshot import RAW
from crowdhire.models import DOCUMENT_MODELS

log = logging.getLogger("crowdhire.backup")

INSERT_BATCH = 1000
INSERT_BYTES = 8 << 20


@dataclass(frozen=True)
class Restored:
    """What a restore did and how long it took."""

    database: str
    snapshot: str
    documents: int
    operations: int
    erased_again: int
    seconds: float

    @property
    def seconds_per_10k(self) -> float:
        """Restore time per 10,000 documents and replayed operations."""
        return self.seconds * 10_000 / max(1, self.documents + self.operations)


async def ensure_empty(client: Client, target: str, force: bool) -> None:
    """Refuse a target database that holds anything, unless --force."""
    try:
        names = await client[target].list_collection_names()
    except InvalidName:
        raise BackupError(f"--into {target!r} is not a valid database name") from None
    if names and not force:
        raise BackupError(
            f"database {target} is not empty ({len(names)} collections): restore into a new"
            " database, or pass --force to replace its contents"
        )


async def restore(
    client: Client, plan: RestorePlan, target: str, key: bytes | None, live: str | None
) -> Restored:
    """Carry out a checked plan; `live` names the source database whose ledger also counts."""
    started = time.monotonic()
    ledger = erasures.ledger_in_archive(plan.newest, plan.later, key)
    if live and live in await client.list_database_names():  # read before a --force drop
        ledger |= await erasures.ledger_in_database(client[live])
    await client.drop_database(target)
    try:
        db = client[target]
        documents = await _load_snapshot(db, plan, key)
        operations = await _replay(client, plan, target, key)
        await init_beanie(database=db, document_models=DOCUMENT_MODELS)
        erased = await erasures.reapply(ledger)
    except BaseException:
        await client.drop_database(target)
        raise
    took = time.monotonic() - started
    return Restored(target, plan.snapshot.name, documents, operations, erased, took)


async def _load_snapshot(db: AsyncDatabase[dict[str, object]], plan: RestorePlan,
                         key: bytes | None) -> int:  # fmt: skip
    total = 0
    for name, collection in plan.snapshot.manifest.collections.items():
        await db.create_collection(name)
        target = db.get_collection(name, codec_options=RAW)
        batch: list[RawBSONDocument] = []
        size = 0
        for raw in read_documents(plan.snapshot.path / collection.file, key):
            batch.append(RawBSONDocument(raw))
            size += len(raw)
            if len(batch) >= INSERT_BATCH or size >= INSERT_BYTES:
                await target.insert_many(batch, bypass_document_validation=True)
                total, batch, size = total + len(batch), [], 0
        if batch:
            await target.insert_many(batch, bypass_document_validation=True)
            total += len(batch)
    return total


async def _replay(client: Client, plan: RestorePlan, target: str, key: bytes | None) -> int:
    manifest = plan.snapshot.manifest
    replayer = Replayer(client, manifest.database, target, set(manifest.collections))
    start = manifest.cluster_time
    for _segment, path in plan.segments:
        for raw in read_documents(path, key):
            doc = entry(raw)
            if doc["ts"] <= start:
                continue
            if plan.at is not None and doc["wall"] > plan.at:
                await replayer.flush()
                return replayer.applied
            await replayer.add(doc)
    await replayer.flush()
    return replayer.applied


def now_utc() -> datetime:
    """The time `--at` is compared with."""
    return datetime.now(UTC)
