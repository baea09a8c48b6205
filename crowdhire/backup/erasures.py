"""The erasure ledger across restores: a candidate erased at any time stays erased in a restore.

The ids come from the archive as it stands at its end (the newest snapshot's ledger plus every
ledger write in the oplog after it) and from the live database when it still answers; the restore
anonymizes each of those candidates it brought back, exactly as eraseCandidate does.
"""

from __future__ import annotations

from pathlib import Path

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from crowdhire.backup.archive import Snapshot
from crowdhire.backup.files import read_documents
from crowdhire.backup.manifest import Segment
from crowdhire.backup.replay import entry
from crowdhire.models import Candidate, ErasureRecord
from crowdhire.resolvers.privacy import anonymize_everywhere

LEDGER = ErasureRecord.Settings.name


def ledger_in_archive(
    newest: Snapshot, segments: list[tuple[Segment, Path]], key: bytes | None
) -> set[ObjectId]:
    """Ids in the newest snapshot's ledger and in ledger inserts of the segments after it."""
    ids: set[ObjectId] = set()
    ledger = newest.manifest.collections.get(LEDGER)
    if ledger is not None:
        ids |= {entry(raw)["_id"] for raw in read_documents(newest.path / ledger.file, key)}
    namespace = f"{newest.manifest.database}.{LEDGER}"
    for segment, path in segments:
        if segment.last <= newest.manifest.cluster_time:
            continue
        for raw in read_documents(path, key):
            doc = entry(raw)
            for op in doc["o"].get("applyOps", [doc]):
                if op["ns"] == namespace and op["op"] in ("i", "u"):
                    ids.add(op["o2"]["_id"] if op["op"] == "u" else op["o"]["_id"])
    return ids


async def ledger_in_database(database: AsyncDatabase[dict[str, object]]) -> set[ObjectId]:
    """Ids in a database's ledger (the live one, when it is reachable)."""
    return {doc["_id"] async for doc in database[LEDGER].find({}, {"_id": 1})}  # type: ignore[misc]


async def reapply(ids: set[ObjectId]) -> int:
    """Erase again every listed candidate the restored database (Beanie's) holds unerased."""
    erased = 0
    collection = Candidate.get_pymongo_collection()
    client = collection.database.client
    for candidate_id in sorted(ids):
        async with client.start_session() as session, await session.start_transaction():
            candidate = await Candidate.find_one({"_id": candidate_id}, session=session)
            if candidate is not None and candidate.erased_at is None:
                await anonymize_everywhere(candidate, session)
                erased += 1
            elif candidate is not None:
                ledger = ErasureRecord.get_pymongo_collection()
                await ledger.update_one({"_id": candidate_id},
                                        {"$setOnInsert": {"erased_at": candidate.erased_at}},
                                        upsert=True, session=session)  # fmt: skip
    return erased
