"""`python -m bench.webhooks`: webhook throughput of one worker process.

A real mongod (single-node replica set), one endpoint and a receiver answering 200 in a process
of its own on loopback. N events are committed, fanned out (deliveries/s created by the
dispatch transaction), then delivered by one process's task worker with 1 and with 4 claim
loops (deliveries/s, signed POST included). Writes bench/results/webhooks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvicorn
from beanie import init_beanie
from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crowdhire.dev.cluster.report import machine
from crowdhire.dev.servers import MongodServer, free_port
from crowdhire.events.outbox import record_event
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.models.tasks import BackgroundTask
from crowdhire.models.webhooks import SigningSecret, WebhookDelivery, WebhookEndpoint
from crowdhire.resolvers.webhooks import new_signing_secret
from crowdhire.settings import Environment, Settings
from crowdhire.tasks.worker import TaskWorker
from crowdhire.webhooks.service import WebhookService

RESULTS = Path(__file__).parent / "results" / "webhooks.md"


async def _accept(request: Request) -> Response:
    await request.body()
    return Response(b"ok")


def serve_receiver(port: int) -> None:
    """The receiver process: 200 to every POST."""
    app = Starlette(routes=[Route("/hooks", _accept, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _write_events(count: int, company: ObjectId) -> None:
    client = OutboxEvent.get_pymongo_collection().database.client
    for start in range(0, count, 100):
        async with client.start_session() as session:

            async def body(session: AsyncClientSession, n: int = min(100, count - start)) -> None:
                for _ in range(n):
                    subjects = {"submission": ObjectId(), "company": company}
                    await record_event(session, EventType.SUBMISSION_CREATED, "bench", subjects)

            await session.with_transaction(body)


async def _round(settings: Settings, url: str, events: int, loops: int) -> tuple[float, float]:
    """(deliveries created per second, deliveries made per second) for one fresh database."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri, tz_aware=True)
    await client.drop_database(settings.mongodb_db)
    await init_beanie(database=client[settings.mongodb_db], document_models=DOCUMENT_MODELS)
    company = ObjectId()
    await WebhookEndpoint(
        company_id=company, url=url, event_types=[EventType.SUBMISSION_CREATED],
        secrets=[SigningSecret(value=new_signing_secret())], created_by="bench",
    ).insert()  # fmt: skip
    await _write_events(events, company)
    service = WebhookService(settings)
    try:
        started = time.perf_counter()
        created = await service.dispatch()
        fanned = created / (time.perf_counter() - started)
        worker = TaskWorker(service.handlers(), lease_seconds=60)
        started = time.perf_counter()
        await asyncio.gather(*(worker.drain() for _ in range(loops)))
        delivered = await WebhookDelivery.find({"status": "succeeded"}).count()
        rate = delivered / (time.perf_counter() - started)
        assert delivered == events, f"{delivered} of {events} delivered"
        assert await BackgroundTask.find({"status": "dead"}).count() == 0
    finally:
        await service.stop()
        await client.close()
    return fanned, rate


def main(argv: list[str] | None = None) -> int:
    """Two rounds (1 and 4 claim loops) against one receiver process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--receiver", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.receiver:
        serve_receiver(args.receiver)
        return 0
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-m", "bench.webhooks", "--receiver", str(port)])
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp, MongodServer(Path(tmp) / "mongod") as server:
            time.sleep(1.0)  # the receiver binds meanwhile
            settings = Settings(
                crowdhire_env=Environment.TEST, mongodb_uri=server.uri,
                mongodb_db="bench_webhooks", webhook_allow_loopback=True,
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}/hooks"
            for loops in (1, 4):
                fanned, rate = asyncio.run(_round(settings, url, args.events, loops))
                rows.append((loops, fanned, rate))
                print(
                    f"{loops} loop(s): fan-out {fanned:.0f}/s, delivered {rate:.0f}/s", flush=True
                )
    finally:
        receiver.terminate()
        receiver.wait()
    base = rows[0][2]
    lines = ["# Webhooks (`python -m bench.webhooks`)", "",
             f"Run on {machine()}; one mongod 6.0 (single-node replica set), a loopback receiver"
             f" answering 200 in its own process, {args.events} events to one endpoint.", "",
             "| Claim loops in the one worker process | fan-out: deliveries created/s |"
             " delivered/s (signed POST, 200) | vs 1 loop |",
             "|---|---|---|---|"]  # fmt: skip
    lines += [f"| {n} | {f:.0f} | {r:.0f} | {r / base:.2f}x |" for n, f, r in rows]
    args.output.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
