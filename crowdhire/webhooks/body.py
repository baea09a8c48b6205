"""The JSON body of a webhook: `{"type", "timestamp", "data"}` in one stable shape.

`data` holds the event's own id and position, who caused it, the names of the fields that
changed and the global ids of the objects it concerns (`submissionId`, `jobId`, ...): the same
ids `node(id:)` takes, so a receiver queries GraphQL for what it needs with its own token and
its own access rules. Values travel only when the endpoint has a selection: its result, run
as the endpoint's owner, comes under `selection` (see `crowdhire.webhooks.selection`), and an
erased candidate's fields come out there as the API shows them after erasure.
"""

from __future__ import annotations

from typing import Any

import orjson
from bson import ObjectId
from bson.errors import InvalidId

from crowdhire.models.events import OutboxEvent
from crowdhire.resolvers.events import encode_position
from crowdhire.schema.ids import encode_global_id

TYPE_NAMES = {
    "submission": "Submission",
    "job": "Job",
    "company": "Company",
    "candidate": "Candidate",
    "recruiter": "Recruiter",
    "placement": "Placement",
}


def _global_ids(subjects: dict[str, str]) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    for role, type_name in TYPE_NAMES.items():
        raw = subjects.get(role)
        try:
            ids[f"{role}Id"] = encode_global_id(type_name, ObjectId(raw)) if raw else None
        except (InvalidId, TypeError):
            ids[f"{role}Id"] = None
    return ids


def event_data(event: OutboxEvent) -> dict[str, Any]:
    """The `data` member: ids, position, actor and changed field names."""
    assert event.id is not None, "a stored event has an id"
    return {
        "id": encode_global_id("DomainEvent", event.id),
        "position": encode_position(event.position),
        "actor": event.actor_sub,
        "changedFields": list(event.changed_fields),
        **_global_ids(event.subjects),
    }


def event_body(event: OutboxEvent, selected: dict[str, Any] | None = None) -> bytes:
    """The exact bytes that are signed and sent: the same on every attempt, except for the
    result of the endpoint's selection (`selected`), which is run again for each one."""
    document = {
        "type": event.type.value,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": event_data(event) | (selected or {}),
    }
    return orjson.dumps(document)
