"""Who hears about which domain event, and the opaque cursor of an outbox position.

Subscriptions, webhooks and the changes feed all filter with `may_see`, so a receiver hears about
exactly the same events whichever transport it uses. The rule reads only the event's subjects
(the ids an event names by role), never the objects: it runs once per event and subscriber, and
an erased or deleted object must not change who heard about its past.

Every event names, besides its main object, the company and the recruiter it belongs to where
there is one (a submission event also names its job, company, candidate and recruiter), which is
what makes the rule decidable without I/O.
"""

from __future__ import annotations

from bson import ObjectId
from bson.errors import InvalidId

from crowdhire.auth.viewer import Viewer
from crowdhire.context import Context
from crowdhire.errors import InvalidCursorError
from crowdhire.loaders.cursor_seal import seal, unseal
from crowdhire.models.events import OutboxEvent

# A page cursor seals BSON, which never starts with this, so neither kind passes for the other.
_POSITION_TAG = b"outbox-position:"


def actor_of(context: Context) -> str:
    """The actor an event records for a mutation: the caller's subject (as audit events do)."""
    return context.viewer.sub or "anonymous"


def subject_id(event: OutboxEvent, role: str) -> ObjectId | None:
    """The id of the object in `role`, or None when the event names none (or not an ObjectId)."""
    value = event.subjects.get(role)
    if value is None:
        return None
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None


def may_see(viewer: Viewer, event: OutboxEvent) -> bool:
    """Admins: every event; a recruiter: events naming them (their submissions, candidates,
    placements, their registration); a company member: events naming their company (its jobs,
    the submissions to them, its placements). Anonymous viewers hear nothing."""
    if viewer.is_anonymous:
        return False
    if viewer.is_admin:
        return True
    recruiter = subject_id(event, "recruiter")
    if recruiter is not None and recruiter == viewer.recruiter_id:
        return True
    company = subject_id(event, "company")
    return company is not None and viewer.is_member_of(company)


def encode_position(position: int) -> str:
    """The opaque cursor of an outbox position (0: before the first event)."""
    if position < 0:
        raise ValueError("outbox positions are never negative")
    return seal(_POSITION_TAG + str(position).encode())


def decode_position(cursor: str, *, argument: str = "after") -> int:
    """The position a cursor from `encode_position` holds; anything else is a
    BAD_USER_INPUT error naming `argument`."""
    payload = unseal(cursor) if len(cursor) <= 200 else None
    digits = payload[len(_POSITION_TAG) :] if payload is not None else b""
    if payload is None or not payload.startswith(_POSITION_TAG) or not digits.isdigit():
        raise InvalidCursorError(f"`{argument}` is not an event position cursor", argument=argument)
    return int(digits)
