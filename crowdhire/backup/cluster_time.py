"""Where the replica set's majority commit point is: the time snapshots read at and the oplog
archive is complete up to (anything later could still be rolled back by a failover)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import Timestamp
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from crowdhire.backup.errors import BackupError
from crowdhire.backup.times import as_utc

Client = AsyncMongoClient[dict[str, Any]]


async def majority_point(client: Client) -> tuple[Timestamp, datetime]:
    """(ts, wall time) of the newest majority-committed oplog entry."""
    try:
        status = await client.admin.command("replSetGetStatus")
    except OperationFailure as error:
        if error.code in (76, 94):  # NoReplicationEnabled, NotYetInitialized
            raise BackupError(
                "backups need a replica set (a single node started with --replSet is enough):"
                " it has the oplog and the snapshot reads"
            ) from None
        raise
    optimes = status["optimes"]
    return optimes["lastCommittedOpTime"]["ts"], as_utc(optimes["lastCommittedWallTime"])
