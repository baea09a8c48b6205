"""How long the outbox keeps events: a TTL index on `occurred_at` built from the setting.

The retention is a setting, so the index cannot be declared on the model; it is made at start-up
and, when the setting changed since, altered in place (collMod) rather than dropped and rebuilt.
"""

from __future__ import annotations

from pymongo.errors import OperationFailure

from crowdhire.models.events import OutboxEvent

RETENTION_INDEX = "outbox_retention"
_INDEX_OPTIONS_CONFLICT = 85


def retention_seconds(days: float) -> int:
    """The TTL in whole seconds (MongoDB takes no fractions), at least one."""
    return max(1, round(days * 86_400))


async def ensure_retention_index(days: float) -> None:
    """Expire events `days` after they occurred (MongoDB's TTL monitor removes them)."""
    collection = OutboxEvent.get_pymongo_collection()
    seconds = retention_seconds(days)
    try:
        await collection.create_index(
            [("occurred_at", 1)], name=RETENTION_INDEX, expireAfterSeconds=seconds
        )
    except OperationFailure as failure:
        if failure.code != _INDEX_OPTIONS_CONFLICT:
            raise
        index = {"name": RETENTION_INDEX, "expireAfterSeconds": seconds}
        await collection.database.command("collMod", collection.name, index=index)
