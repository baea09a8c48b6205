"""`make bench-events`: commit-to-subscriber latency of GraphQL subscriptions, and the memory an
idle subscriber costs; writes bench/results/events_latency.md.

One `crowdhire serve` process (the instance measured) on a fresh mongod; this process holds the
sockets and commits the events, so commit time and arrival time come from one clock. Subscribers:
`--recruiters` recruiters on `mySubmissionEvents` (each event names one of them, so each of
their sockets hears 1/Nth of the traffic while every event is filtered for all of them) and
`--admins` admins on `events` (they hear everything). Latency runs from `with_transaction`
returning to the `next` message arriving.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path

import httpx
from beanie import init_beanie
from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from crowdhire.auth.dev import mint_dev_token
from crowdhire.dev.cluster.report import machine
from crowdhire.dev.servers import MongodServer, free_port
from crowdhire.events.outbox import record_event
from crowdhire.models import DOCUMENT_MODELS, Recruiter
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.schema.ids import encode_global_id
from crowdhire.settings import Environment, Settings

RESULTS = Path(__file__).parent / "results" / "events_latency.md"
MINE = "subscription { mySubmissionEvents { id type } }"
EVERYTHING = "subscription { events { id type } }"
PROTOCOL = Subprotocol("graphql-transport-ws")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@contextmanager
def _server(uri: str, data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {**os.environ, "CROWDHIRE_ENV": "dev", "DATA_DIR": str(data_dir), "MONGODB_URI": uri,
           "MONGODB_DB": "bench", "PORT": str(port), "SEED_DEMO": "false",
           "WORKER_ENABLED": "false", "LOG_FORMAT": "json",
           "SUBSCRIPTION_CONNECTIONS_PER_IDENTITY": "10000",
           "SUBSCRIPTION_QUEUE_SIZE": "10000"}  # fmt: skip
    log = (data_dir / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "crowdhire.cli", "serve"], env=env,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("serve did not become ready")
        yield process, url
    finally:
        process.terminate()
        process.wait(30)
        log.close()


async def _socket(stack: AsyncExitStack, url: str, token: str, query: str) -> ClientConnection:
    ws = await stack.enter_async_context(
        connect(url.replace("http", "ws") + "/graphql", subprotocols=[PROTOCOL], max_queue=None)
    )
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    await ws.send(json.dumps(init))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return ws


async def _listen(
    ws: ClientConnection, arrivals: dict[str, list[float]], closes: list[int | None]
) -> None:
    """Answers pings from the start (a socket that stops answering is closed) and notes when
    each event arrives, and how the server closed the socket if it did."""
    async for raw in ws:
        message = json.loads(raw)
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
        elif message["type"] == "next":
            event_id = message["payload"]["data"].popitem()[1]["id"]
            arrivals.setdefault(event_id, []).append(time.perf_counter())
    closes.append(ws.close_code)


async def _commit(recruiter: ObjectId) -> OutboxEvent:
    """One event naming `recruiter`, in its own transaction."""
    client = Recruiter.get_pymongo_collection().database.client
    written: list[OutboxEvent] = []
    async with client.start_session() as session:

        async def body(session: AsyncClientSession) -> None:
            subjects = {"submission": ObjectId(), "recruiter": recruiter}
            event = await record_event(
                session, EventType.SUBMISSION_MOVED, "auth0|bench", subjects, ["stage"]
            )
            written[:] = [event]

        await session.with_transaction(body)
    return written[0]


async def _write(recruiters: list[ObjectId], rate: float, seconds: float) -> dict[str, float]:
    """Events at `rate` per second from 4 writers; the commit time of each, by GraphQL id."""
    committed: dict[str, float] = {}
    total = int(rate * seconds)

    async def writer(offset: int) -> None:
        start = time.perf_counter()
        for n in range(offset, total, 4):
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
            event = await _commit(recruiters[n % len(recruiters)])
            assert event.id is not None
            committed[encode_global_id("DomainEvent", event.id)] = time.perf_counter()

    await asyncio.gather(*(writer(offset) for offset in range(4)))
    return committed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _run(
    uri: str, data_dir: Path, server: tuple[subprocess.Popen[bytes], str], args: argparse.Namespace
) -> list[str]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri, tz_aware=True)
    await init_beanie(database=client["bench"], document_models=DOCUMENT_MODELS)
    settings = Settings(crowdhire_env=Environment.DEV, data_dir=data_dir)
    recruiters = []
    for n in range(args.recruiters):
        found = Recruiter(sub=f"bench|r{n}", display_name=f"R {n}", email=f"r{n}@example.test")
        recruiters.append(await found.insert())
    process, url = server
    async with AsyncExitStack() as stack:
        await asyncio.sleep(1)
        idle_before = _rss_kib(process.pid)
        arrivals: dict[str, list[float]] = {}
        closes: list[int | None] = []
        listeners = []
        for recruiter in recruiters:
            token = mint_dev_token(settings, recruiter.sub, [])
            ws = await _socket(stack, url, token, MINE)
            listeners.append(asyncio.create_task(_listen(ws, arrivals, closes)))
        await asyncio.sleep(2)
        idle_after = _rss_kib(process.pid)
        admin = mint_dev_token(settings, "bench|admin", ["admin:all"])
        for _ in range(args.admins):
            ws = await _socket(stack, url, admin, EVERYTHING)
            listeners.append(asyncio.create_task(_listen(ws, arrivals, closes)))
        await asyncio.sleep(1)
        ids: list[ObjectId] = [r.id for r in recruiters if r.id is not None]
        committed = await _write(ids, args.rate, args.seconds)
        expected = len(committed) * (1 + args.admins)
        written_at = time.perf_counter()

        def delivered() -> int:
            return sum(map(len, arrivals.values()))

        while delivered() < expected and time.perf_counter() - written_at < 60:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        drained = time.perf_counter() - written_at
        for task in listeners:
            task.cancel()
    await client.close()
    latencies = [(at - committed[event_id]) * 1000 for event_id, times in arrivals.items()
                 for at in times if event_id in committed]  # fmt: skip
    per_subscriber = (idle_after - idle_before) / args.recruiters
    return [
        "# Subscription latency and memory (`make bench-events`)",
        "",
        f"Run on {machine()}; one mongod (single-node replica set), one `crowdhire serve`"
        " instance; this process holds every socket and commits the events.",
        "",
        f"{args.recruiters} recruiters on `mySubmissionEvents` + {args.admins} admins on `events`"
        f" = {args.recruiters + args.admins} subscribers, one socket each; {len(committed)}"
        f" events at {args.rate:g}/s for {args.seconds:g} s, each naming one recruiter.",
        "",
        "| Commit → `next` received | ms |",
        "|---|---|",
        f"| p50 | {statistics.median(latencies):.1f} |",
        f"| p99 | {_percentile(latencies, 0.99):.1f} |",
        f"| max | {max(latencies):.1f} |",
        "",
        f"Deliveries: {len(latencies)} of {expected} expected, all in by"
        f" {drained:.1f} s after the last commit; sockets the server closed: {len(closes)}"
        f" (codes {sorted(set(closes), key=str) or '-'}).",
        "",
        "| Idle subscribers (own socket each) | server RSS |",
        "|---|---|",
        f"| 0 | {idle_before / 1024:.1f} MiB |",
        f"| {args.recruiters} | {idle_after / 1024:.1f} MiB |",
        f"| per subscriber | {per_subscriber:.1f} KiB |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    """Latency at a steady event rate, then memory per idle subscriber."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recruiters", type=int, default=495)
    parser.add_argument("--admins", type=int, default=5)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory() as tmp,
        MongodServer(Path(tmp) / "mongod") as mongod,
        _server(mongod.uri, Path(tmp)) as server,
    ):
        lines = asyncio.run(_run(mongod.uri, Path(tmp), server, args))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
