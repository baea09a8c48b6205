"""`backup create`: every collection of the database read at one cluster time, streamed to disk.

All reads carry `readConcern: {level: "snapshot", atClusterTime: T}` with T the majority commit
point, so the files are the database exactly as it was at T, whatever is written meanwhile; the
oplog archive continues from T. A cursor returns raw BSON batches, so memory stays at one batch
whatever the collection's size, and documents are stored byte for byte as MongoDB holds them.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from typing import Any

from bson import Timestamp
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo.errors import OperationFailure
from tqdm import tqdm

from crowdhire import __version__
from crowdhire.backup.archive import MANIFEST, PARTIAL, Archive, Snapshot
from crowdhire.backup.cluster_time import Client, majority_point
from crowdhire.backup.crypto import key_id
from crowdhire.backup.files import BsonWriter, data_suffix
from crowdhire.backup.manifest import CollectionFile, Manifest, schema_hash, write_json
from crowdhire.backup.times import ts_name

RAW = CodecOptions(document_class=RawBSONDocument)
BATCH = 1000
SNAPSHOT_RETRIES = 3
# A collection created after the chosen time, or a catalog change in flight, makes the server
# refuse that time; a newer one is fine.
_RETRY_CODES = {246}  # SnapshotUnavailable


async def take_snapshot(
    client: Client, database: str, archive: Archive, key: bytes | None, progress: bool = False
) -> Snapshot:
    """Write a new snapshot into `archive`; a failed attempt leaves nothing behind."""
    for attempt in range(SNAPSHOT_RETRIES):
        try:
            return await _attempt(client, database, archive, key, progress)
        except OperationFailure as error:
            if error.code not in _RETRY_CODES or attempt == SNAPSHOT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


async def _attempt(
    client: Client, database: str, archive: Archive, key: bytes | None, progress: bool
) -> Snapshot:
    at, wall = await majority_point(client)
    archive.prepare()  # only once MongoDB answered
    name = f"{wall:%Y%m%dT%H%M%S}Z-{ts_name(at)}"
    partial = archive.snapshots_dir / f"{name}.{uuid.uuid4().hex[:8]}{PARTIAL}"
    partial.mkdir(mode=0o700)
    try:
        db = client.get_database(database, codec_options=RAW)
        names = sorted(await db.list_collection_names(filter={"type": "collection"}))
        names = [n for n in names if not n.startswith("system.")]
        estimated = sum([await db[n].estimated_document_count() for n in names])
        manifest = Manifest(database, at, wall, datetime.now(UTC), __version__, schema_hash(),
                            key_id(key) if key else None)  # fmt: skip
        with tqdm(total=estimated, unit="doc", desc=f"snapshot {database}",
                  disable=not progress) as bar:  # fmt: skip
            for collection in names:
                file = collection + data_suffix(key is not None)
                with BsonWriter(partial / file, key) as out:
                    async for document in _read_at(db, collection, at):
                        out.write(document)
                        bar.update()
                    written = out.close()
                manifest.collections[collection] = CollectionFile(
                    file, written.count, written.size, written.sha256
                )
        write_json(partial / MANIFEST, manifest.to_json())
        final = archive.snapshots_dir / name
        if final.exists():  # a snapshot at this very cluster time holds the same data
            shutil.rmtree(partial)
            return next(s for s in archive.snapshots() if s.name == name)
        partial.rename(final)
        return Snapshot(final, manifest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


async def _read_at(db: Any, collection: str, at: Timestamp) -> Any:
    command = {"find": collection, "batchSize": BATCH,
               "readConcern": {"level": "snapshot", "atClusterTime": at}}  # fmt: skip
    cursor = await db.cursor_command(command, codec_options=RAW)
    cursor.batch_size(BATCH)  # getMore too: its default batch is 16 MiB
    async for document in cursor:
        yield document.raw
