"""AuditEvent: who changed what, when (field names only, never personal values)."""

from __future__ import annotations

from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class AuditEvent(StoredDocument):
    """One mutation's effect: actor, action, targets and the names of changed fields."""

    actor_sub: str
    action: str
    target_ids: list[str] = Field(default_factory=list)  # hex ids, for filtering by target
    targets: dict[str, str] = Field(default_factory=dict)  # type name → id (hex)
    changed_fields: list[str] = Field(default_factory=list)
    # Recommendation lists served: the model that ranked and the ids shown, in order.
    model_version: str | None = None
    returned_ids: list[str] = Field(default_factory=list)
    at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "audit_events"
        use_cache = False
        indexes = [
            IndexModel([("at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("actor_sub", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("target_ids", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)]),
        ]
