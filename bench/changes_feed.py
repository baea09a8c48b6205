"""`make bench-changes`: what the outbox costs a write, and what a page of the changes feed costs
to read, for an admin and for a company that appears in 1 % of the events; writes
bench/results/changes_feed.md."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from beanie import init_beanie
from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.auth.viewer import ADMIN_PERMISSION, Viewer
from crowdhire.cache import build_cache
from crowdhire.context import build_context
from crowdhire.dev.cluster.report import machine
from crowdhire.dev.servers import MongodServer
from crowdhire.events.outbox import record_event
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.models.common import utcnow
from crowdhire.models.companies import MemberRole
from crowdhire.models.events import EventSequence, EventType, OutboxEvent
from crowdhire.resolvers.changes import RecordType, list_changes
from crowdhire.settings import Environment, Settings

RESULTS = Path(__file__).parent / "results" / "changes_feed.md"
WATCHED = ObjectId()  # the company that appears in 1 % of the events


async def _median_ms(action: Callable[[], Awaitable[object]], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def _transaction(client: AsyncMongoClient[dict[str, object]], with_event: bool) -> None:
    async with client.start_session() as session:

        async def body(session: AsyncClientSession) -> None:
            job = ObjectId()
            await client["bench"].jobs.insert_one({"_id": job, "status": "open"}, session=session)
            if with_event:
                subjects = {"job": job, "company": ObjectId()}
                await record_event(session, EventType.JOB_PUBLISHED, "auth0|bench", subjects)

        await session.with_transaction(body)


async def _fill(events: int) -> None:
    """`events` outbox events, 1 % naming WATCHED, written directly (positions 1..events)."""
    kinds = [
        EventType.SUBMISSION_MOVED,
        EventType.JOB_PUBLISHED,
        EventType.PLACEMENT_REFUND_RECORDED,
    ]
    batch = []
    for position in range(1, events + 1):
        company = str(WATCHED) if position % 100 == 0 else str(ObjectId())
        subjects = {"submission": str(ObjectId()), "company": company}
        batch.append({"position": position, "type": kinds[position % 3].value,
                      "occurred_at": utcnow(),
                      "actor_sub": "auth0|bench", "subjects": subjects,
                      "subject_ids": sorted(subjects.values()),
                      "changed_fields": ["stage"]})  # fmt: skip
        if len(batch) == 5_000:
            await OutboxEvent.get_pymongo_collection().insert_many(batch)
            batch = []
    if batch:
        await OutboxEvent.get_pymongo_collection().insert_many(batch)
    await EventSequence.get_pymongo_collection().update_one(
        {"_id": "outbox"}, {"$set": {"value": events}}, upsert=True
    )


async def _run(uri: str, events: int, rounds: int) -> list[str]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
    await init_beanie(database=client["bench"], document_models=DOCUMENT_MODELS)
    plain = await _median_ms(lambda: _transaction(client, False), rounds)
    evented = await _median_ms(lambda: _transaction(client, True), rounds)
    await OutboxEvent.get_pymongo_collection().delete_many({})
    await _fill(events)
    settings = Settings(crowdhire_env=Environment.TEST, mongodb_uri=uri, cache_enabled=False)
    cache = build_cache(settings)
    admin = Viewer(sub="auth0|admin", permissions=frozenset({ADMIN_PERMISSION}))
    member = Viewer(sub="auth0|member").with_roles(None, {WATCHED: MemberRole.MEMBER})

    def page(viewer: Viewer, types: list[RecordType] | None = None) -> Awaitable[object]:
        context = build_context(settings, cache, viewer=viewer)
        return list_changes(context, None, types, 100)

    admin_ms = await _median_ms(lambda: page(admin), rounds)
    member_ms = await _median_ms(lambda: page(member), rounds)
    typed_ms = await _median_ms(lambda: page(member, [RecordType.JOB]), rounds)
    await client.close()
    per_write = evented - plain
    return [
        "# Changes feed (`make bench-changes`)",
        "",
        f"Run on {machine()}; one mongod (single-node replica set), {events:,} outbox events,"
        f" medians of {rounds} rounds.",
        "",
        "| Write (one transaction) | ms | ratio |",
        "|---|---|---|",
        f"| insert one document | {plain:.2f} | 1.00 |",
        f"| insert one document + `record_event` | {evented:.2f} | {evented / plain:.2f} |",
        "",
        f"The event adds {per_write:.2f} ms per write (sequence counter and outbox insert).",
        "",
        "| Page of 100 changes (resolver, records not loaded) | ms |",
        "|---|---|",
        f"| admin, from the start | {admin_ms:.2f} |",
        f"| company member named by 1 % of the events | {member_ms:.2f} |",
        f"| same member, `types: [JOB]` | {typed_ms:.2f} |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    """Write costs, then feed pages."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, MongodServer(Path(tmp) / "mongod") as server:
        lines = asyncio.run(_run(server.uri, args.events, args.rounds))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
