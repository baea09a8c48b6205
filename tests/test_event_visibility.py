"""Who hears about an event (`may_see`), position cursors, and DomainEvent's object fields
resolved under the viewer's own access rules on the real servers."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import strawberry
from starlette.applications import Starlette

from crowdhire.auth.viewer import ADMIN_PERMISSION, Viewer
from crowdhire.context import Info, build_context
from crowdhire.errors import InvalidCursorError
from crowdhire.loaders.cursor_seal import seal
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.common import utcnow
from crowdhire.models.companies import MemberRole
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.resolvers.events import decode_position, encode_position, may_see
from crowdhire.schema.events import DomainEventType
from tests.permissions_support import World, build_world

ADMIN = Viewer(sub="auth0|staff", permissions=frozenset({ADMIN_PERMISSION}))


def _viewers(world: World) -> dict[str, Viewer]:
    def member(sub: str, company: Any) -> Viewer:
        return Viewer(sub=sub).with_roles(None, {company.id: MemberRole.OWNER})

    return {
        "anonymous": Viewer(),
        "admin": ADMIN,
        "rita": Viewer(sub="auth0|rita").with_roles(world.rita.id, {}),
        "sam": Viewer(sub="auth0|sam").with_roles(world.sam.id, {}),
        "acme": member("auth0|acme-owner", world.acme),
        "globex": member("auth0|globex-member", world.globex),
    }


def _event(event_type: EventType, **subjects: Any) -> OutboxEvent:
    ids = {role: str(value) for role, value in subjects.items()}
    return OutboxEvent(position=1, type=event_type, actor_sub="auth0|x", subjects=ids)


def _events(world: World) -> dict[str, OutboxEvent]:
    rita_sub = world.rita_submission
    return {
        "rita's submission moved": _event(
            EventType.SUBMISSION_MOVED,
            submission=rita_sub.id,
            job=rita_sub.job_id,
            company=rita_sub.company_id,
            candidate=rita_sub.candidate_id,
            recruiter=rita_sub.recruiter_id,
        ),
        "acme job published": _event(
            EventType.JOB_PUBLISHED, job=world.open_job.id, company=world.acme.id
        ),
        "rita's placement paid": _event(
            EventType.PLACEMENT_PAYMENT_STATUS_CHANGED,
            placement=world.placement.id,
            company=world.placement.company_id,
            recruiter=world.placement.recruiter_id,
        ),
        "sam's candidate consent": _event(
            EventType.CANDIDATE_CONSENT_CHANGED,
            candidate=world.submitted.id,
            recruiter=world.sam.id,
        ),
        "rita registered": _event(EventType.RECRUITER_REGISTERED, recruiter=world.rita.id),
    }


HEARS = {
    "anonymous": set[str](),
    "admin": {
        "rita's submission moved",
        "acme job published",
        "rita's placement paid",
        "sam's candidate consent",
        "rita registered",
    },
    "rita": {"rita's submission moved", "rita's placement paid", "rita registered"},
    "sam": {"sam's candidate consent"},
    "acme": {"rita's submission moved", "acme job published", "rita's placement paid"},
    "globex": set[str](),
}


async def test_each_viewer_hears_exactly_their_events(app: Starlette) -> None:
    world = await build_world()
    events = _events(world)
    for name, viewer in _viewers(world).items():
        heard = {label for label, event in events.items() if may_see(viewer, event)}
        assert heard == HEARS[name], name


def test_a_position_cursor_is_opaque_and_round_trips() -> None:
    for position in (0, 1, 41, 10**12):
        cursor = encode_position(position)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        assert b"outbox" not in raw  # sealed, not merely encoded
        assert decode_position(cursor) == position
    assert encode_position(7) == encode_position(7)  # resuming twice gives the same cursor


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not-a-cursor",
        encode_position(5)[:-2] + "AA",  # tampered
        seal(b"\x10\x00\x00\x00"),  # a sealed payload that is not a position (a page cursor)
        seal(b"outbox-position:-3"),
        "x" * 5000,
    ],
)
def test_anything_but_a_position_cursor_is_refused_naming_the_argument(cursor: str) -> None:
    with pytest.raises(InvalidCursorError) as refused:
        decode_position(cursor, argument="after")
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "argument": "after"}


async def _event_at(info: Info, position: int) -> DomainEventType | None:
    found = await OutboxEvent.find_one(OutboxEvent.position == position)
    return None if found is None else DomainEventType.from_model(found)


@strawberry.type
class _Probe:
    """A root to select one outbox event as a DomainEvent (the transports supply it in the app)."""

    event: DomainEventType | None = strawberry.field(resolver=_event_at)


_PROBE_SCHEMA = strawberry.Schema(query=_Probe)
_SELECTION = """query($p: Int!) { event(position: $p) {
  id position type occurredAt actor changedFields
  submission { stage } job { title } company { slug } candidate { fullName }
  recruiter { displayName } placement { paymentStatus } } }"""


async def _select(app: Starlette, viewer: Viewer, position: int) -> dict[str, Any]:
    services = app.state.services
    context = build_context(services.settings, services.cache, viewer=viewer)
    result = await _PROBE_SCHEMA.execute(_SELECTION, {"p": position}, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    event: dict[str, Any] = result.data["event"]
    return event


async def test_domain_event_objects_resolve_as_each_viewer_may_see_them(app: Starlette) -> None:
    world = await build_world()
    moved = _events(world)["rita's submission moved"]
    moved.position, moved.changed_fields = 1, ["stage"]
    await moved.insert()
    viewers = _viewers(world)

    seen = await _select(app, viewers["rita"], 1)
    assert seen["type"] == "SUBMISSION_MOVED"
    assert seen["actor"] == "auth0|x"
    assert seen["changedFields"] == ["stage"]
    assert decode_position(seen["position"]) == 1
    assert seen["submission"] == {"stage": "INTERVIEWING"}
    assert seen["candidate"] == {"fullName": "Ivy Interviewing"}
    assert seen["recruiter"] == {"displayName": "Rita"}
    assert seen["job"] == {"title": "Open at Acme"}
    assert seen["company"] == {"slug": "acme"}
    assert seen["placement"] is None  # the event names none

    # Sam may not read Rita's submission or candidate: the fields are null, not leaked.
    hidden = await _select(app, viewers["sam"], 1)
    assert hidden["submission"] is None
    assert hidden["candidate"] is None
    assert hidden["job"] == {"title": "Open at Acme"}


async def test_an_erased_candidate_is_null_in_their_events(app: Starlette) -> None:
    world = await build_world()
    moved = _events(world)["rita's submission moved"]
    await moved.insert()
    person = world.interviewing
    person.full_name, person.erased_at = "Erased candidate", utcnow()
    person.consent = Consent(status=ConsentStatus.REVOKED, changed_at=utcnow())
    await person.save()

    for viewer in (ADMIN, _viewers(world)["rita"]):
        seen = await _select(app, viewer, 1)
        assert seen["candidate"] is None
        assert seen["submission"] == {"stage": "INTERVIEWING"}
