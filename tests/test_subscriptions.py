"""GraphQL subscriptions over graphql-transport-ws: a real uvicorn, a real `websockets` client,
events written to the outbox on a real replica set and delivered through the change stream."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo import AsyncMongoClient
from starlette.applications import Starlette

from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.factories import make_candidate, make_company, make_job, make_recruiter
from tests.subscription_support import (
    GraphQLSocket,
    change_stream_cursors,
    event_ids,
    serve,
    write_event,
)
from tests.support import global_id, gql

EVENTS = """
subscription Events($types: [EventType!], $after: String) {
  events(types: $types, after: $after) { id position type actor changedFields job { title } }
}"""
PIPELINE = """
subscription Pipeline($jobId: ID!) {
  pipelineEvents(jobId: $jobId) { type job { title } submission { id } }
}"""
MINE = "subscription { mySubmissionEvents { type candidate { id } } }"
COMPANY = "subscription { companyEvents { type job { title } } }"


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[Starlette, str]]:
    async with serve(settings) as started:
        yield started


async def test_a_missing_or_bad_token_closes_the_socket_with_4403(
    served: tuple[Starlette, str], issuer: Issuer
) -> None:
    _, url = served
    expired = issuer.token("auth0|late", exp=1_000_000)
    for payload in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": expired}):
        async with GraphQLSocket.open(url, payload) as socket:
            closed = await socket.closed()
        assert closed.code == 4403, payload
    async with GraphQLSocket.open(url, {"Authorization": f"Bearer {expired}"}) as socket:
        closed = await socket.closed()
    assert (closed.code, closed.reason) == (4403, "Invalid token: token expired")


async def test_an_admin_hears_each_committed_event_once_with_its_fields(
    served: tuple[Starlette, str], issuer: Issuer
) -> None:
    _, url = served
    job = await make_job(await make_company(), title="Platform Engineer")
    async with GraphQLSocket.signed_in(url, issuer.admin_token()) as socket:
        await socket.subscribe("1", EVENTS, {"types": ["JOB_PAUSED"]})
        await asyncio.sleep(0.3)  # the subscription attaches to the stream
        await write_event(EventType.JOB_PUBLISHED, {"job": job.id})  # another type: filtered out
        await write_event(EventType.JOB_PAUSED, {"job": job.id, "company": job.company_id})
        data = await socket.next_data("1")
        assert await socket.silent(0.5)
    event = data["events"]
    assert event["type"] == "JOB_PAUSED"
    assert event["job"] == {"title": "Platform Engineer"}
    assert event["actor"] == "auth0|writer"
    assert event["changedFields"] == []


async def test_each_subscriber_hears_only_what_their_access_allows(
    served: tuple[Starlette, str], issuer: Issuer
) -> None:
    _, url = served
    acme, globex = await make_company(), await make_company()
    await CompanyMember(company_id=acme.id, sub="auth0|acme", role=MemberRole.MEMBER).insert()
    ours, theirs = await make_job(acme, title="Ours"), await make_job(globex, title="Theirs")
    alice, bob = await make_recruiter(), await make_recruiter()
    candidate = await make_candidate(alice)
    async with (
        GraphQLSocket.signed_in(url, issuer.token("auth0|acme")) as member,
        GraphQLSocket.signed_in(url, issuer.token(alice.sub)) as recruiter,
        GraphQLSocket.signed_in(url, issuer.token(bob.sub)) as other_recruiter,
    ):
        await member.subscribe("pipeline", PIPELINE, {"jobId": global_id("Job", ours)})
        await member.subscribe("company", COMPANY)
        await recruiter.subscribe("mine", MINE)
        await other_recruiter.subscribe("mine", MINE)
        await asyncio.sleep(0.3)
        await write_event(EventType.JOB_PAUSED, {"job": theirs.id, "company": globex.id})
        submission = {"submission": candidate.id, "job": ours.id, "company": acme.id,
                      "recruiter": alice.id, "candidate": candidate.id}  # fmt: skip
        await write_event(EventType.SUBMISSION_CREATED, submission)

        heard = set()
        for message in (await member.receive(), await member.receive()):
            data = message["payload"]["data"]
            heard.add((message["id"], next(iter(data.values()))["type"]))
        assert heard == {("pipeline", "SUBMISSION_CREATED"), ("company", "SUBMISSION_CREATED")}
        mine = await recruiter.next_data("mine")
        assert mine["mySubmissionEvents"]["type"] == "SUBMISSION_CREATED"
        assert mine["mySubmissionEvents"]["candidate"] == {"id": global_id("Candidate", candidate)}
        assert await member.silent(0.3)
        assert await other_recruiter.silent(0.3)


async def test_pipeline_events_of_another_companys_job_are_refused(
    served: tuple[Starlette, str], issuer: Issuer
) -> None:
    _, url = served
    job = await make_job(await make_company())
    async with GraphQLSocket.signed_in(url, issuer.token("auth0|stranger")) as socket:
        await socket.subscribe("1", PIPELINE, {"jobId": global_id("Job", job)})
        message = await socket.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors[0]["extensions"]["field"] == "jobId"


async def test_resuming_with_after_misses_nothing_and_repeats_nothing(
    served: tuple[Starlette, str], issuer: Issuer
) -> None:
    _, url = served
    job = await make_job(await make_company())
    admin = issuer.admin_token()
    async with GraphQLSocket.signed_in(url, admin) as socket:
        await socket.subscribe("1", EVENTS)
        await asyncio.sleep(0.3)
        written = [await write_event(EventType.JOB_PAUSED, {"job": job.id}) for _ in range(3)]
        seen = [(await socket.next_data("1"))["events"] for _ in range(3)]
    assert [e["id"] for e in seen] == event_ids(written)
    # offline: more events are committed; the client comes back with the last position it saw
    offline = [await write_event(EventType.JOB_CLOSED, {"job": job.id}) for _ in range(4)]

    async def live_writer() -> list[OutboxEvent]:
        later = []
        for _ in range(4):
            later.append(await write_event(EventType.JOB_FILLED, {"job": job.id}))
            await asyncio.sleep(0.01)
        return later

    async with GraphQLSocket.signed_in(url, admin) as socket:
        await socket.subscribe("2", EVENTS, {"after": seen[-1]["position"]})
        writer = asyncio.create_task(live_writer())  # while the resume reads the history
        resumed = [(await socket.next_data("2"))["events"] for _ in range(8)]
        later = await writer
        assert await socket.silent(0.5)
    assert [e["id"] for e in resumed] == event_ids(offline + later)
    assert [e["type"] for e in resumed] == ["JOB_CLOSED"] * 4 + ["JOB_FILLED"] * 4


async def test_a_socket_closes_when_its_token_expires(
    served: tuple[Starlette, str], issuer: Issuer
) -> None:
    _, url = served
    token = issuer.token("auth0|brief", ["admin:all"], exp=int(time.time()) + 3)
    async with GraphQLSocket.signed_in(url, token) as socket:
        await socket.subscribe("1", EVENTS)
        opened = time.monotonic()
        closed = await socket.closed(within=10)
        lasted = time.monotonic() - opened
    assert (closed.code, closed.reason) == (4403, "Token expired: reconnect with a fresh token")
    assert 1 < lasted < 5


async def test_the_stream_resumes_after_its_cursor_is_killed_and_misses_nothing(
    served: tuple[Starlette, str], issuer: Issuer, settings: Settings
) -> None:
    _, url = served
    async with GraphQLSocket.signed_in(url, issuer.admin_token()) as socket:
        await socket.subscribe("1", EVENTS)
        await asyncio.sleep(0.3)
        before = await write_event(EventType.JOB_PAUSED, {"job": ObjectId()})
        heard = [(await socket.next_data("1"))["events"]["id"]]
        [cursor] = await change_stream_cursors(settings)
        killer: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
        try:
            killed = await killer[settings.mongodb_db].command(
                "killCursors", "outbox_events", cursors=[cursor]
            )
        finally:
            await killer.close()
        assert killed["cursorsKilled"] == [cursor]
        after = [await write_event(EventType.JOB_CLOSED, {"job": ObjectId()}) for _ in range(3)]
        heard += [(await socket.next_data("1"))["events"]["id"] for _ in range(3)]
        assert await socket.silent(0.5)
        assert await change_stream_cursors(settings) not in (set(), {cursor})  # a new cursor
    assert heard == event_ids([before, *after])


REMOVE_MEMBER = """mutation($input: RemoveCompanyMemberInput!) {
  removeCompanyMember(input: $input) { removed userErrors { code } } }"""


async def test_a_member_removed_from_the_company_stops_hearing_it_within_a_heartbeat(
    settings: Settings, issuer: Issuer
) -> None:
    beating = settings.model_copy(update={"subscription_heartbeat_seconds": 0.3})
    async with serve(beating) as (_, url):
        acme = await make_company()
        await CompanyMember(company_id=acme.id, sub="auth0|owner", role=MemberRole.OWNER).insert()
        await CompanyMember(company_id=acme.id, sub="auth0|leaver", role=MemberRole.MEMBER).insert()
        job = await make_job(acme)
        async with (
            GraphQLSocket.signed_in(url, issuer.token("auth0|leaver")) as socket,
            httpx.AsyncClient(base_url=url, timeout=30) as http,
        ):
            await socket.subscribe("1", COMPANY)
            assert await socket.silent(0.3)  # reading: the pings are answered
            await write_event(EventType.JOB_PAUSED, {"job": job.id, "company": acme.id})
            assert (await socket.next_data("1"))["companyEvents"]["type"] == "JOB_PAUSED"

            removal = {"companyId": global_id("Company", acme), "sub": "auth0|leaver"}
            answer = await gql(
                http, REMOVE_MEMBER, {"input": removal}, as_=issuer.token("auth0|owner")
            )
            assert answer["data"]["removeCompanyMember"] == {"removed": True, "userErrors": []}
            assert await socket.silent(1.0)  # a few heartbeats, each reloading the roles
            await write_event(EventType.JOB_CLOSED, {"job": job.id, "company": acme.id})
            assert await socket.silent(1.0)
