"""Run one benchmark variant under uvicorn: `python -m bench.serve N|D|S|F`.

With BENCH_COUNTERS=1 the app is wrapped so that `GET /__bench/stats` reports the MongoDB
commands (PyMongo command monitoring in this process) and object-cache operations since the
last `POST /__bench/reset`. The wrapper lives only here: crowdhire's own app has no such route.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any

import orjson
import uvicorn
from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from bench.floor import create_floor_app
from bench.floor_crowd import CROWD_OPERATIONS
from bench.floor_writes import CROWD_WRITES
from bench.naive import build_naive_schema
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.server import create_app
from crowdhire.settings import load_settings

# Handshakes, heartbeats and session bookkeeping are not queries a request issued.
INFRASTRUCTURE = {"hello", "ismaster", "isMaster", "ping", "endSessions", "buildInfo", "saslStart"}


class CommandCounter(CommandListener):
    """Counts MongoDB commands by name (PyMongo command monitoring)."""

    def __init__(self) -> None:
        self.names: Counter[str] = Counter()

    def started(self, event: CommandStartedEvent) -> None:
        """Count one command."""
        if event.command_name not in INFRASTRUCTURE:
            self.names[event.command_name] += 1

    def succeeded(self, event: CommandSucceededEvent) -> None:
        """Nothing to count."""

    def failed(self, event: CommandFailedEvent) -> None:
        """Nothing to count."""


class CountersEndpoint:
    """ASGI wrapper answering /__bench/stats and /__bench/reset, passing the rest through."""

    def __init__(self, app: Starlette, commands: CommandCounter) -> None:
        self.app = app
        self.commands = commands
        self.inflight = 0

    def _cache_stats(self) -> dict[str, int]:
        services = getattr(self.app.state, "services", None)
        return asdict(services.cache.stats) if services is not None else {}

    def _reset(self) -> None:
        self.commands.names.clear()
        services = getattr(self.app.state, "services", None)
        if services is not None:
            stats = services.cache.stats
            for name in asdict(stats):
                setattr(stats, name, 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the counters or delegate to the variant's app."""
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/__bench/"):
            self.inflight += scope["type"] == "http"
            try:
                await self.app(scope, receive, send)
            finally:
                self.inflight -= scope["type"] == "http"
            return
        if path == "/__bench/reset":
            self._reset()
        payload = {
            "commands": dict(self.commands.names),
            "cache": self._cache_stats(),
            "inflight": self.inflight,
        }
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": orjson.dumps(payload)})


def naive_app(uri: str, db_name: str, listeners: list[CommandListener]) -> Starlette:
    """Variant N: the naive schema behind Strawberry's ASGI view, Beanie initialised."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            uri, tz_aware=True, event_listeners=listeners
        )
        await init_beanie(database=client[db_name], document_models=DOCUMENT_MODELS)
        try:
            yield
        finally:
            await client.close()

    view: GraphQL[None, None] = GraphQL(build_naive_schema(), graphql_ide=None)
    return Starlette(routes=[Route("/graphql", view, methods=["POST"])], lifespan=lifespan)


def build(variant: str, commands: CommandCounter) -> Starlette:
    """The app of one variant; D and S are crowdhire's own `create_app`."""
    # No background worker: its polling claims would count as commands of the measured requests.
    settings = load_settings().model_copy(update={"worker_enabled": False})
    assert settings.mongodb_uri, "MONGODB_URI must be set"
    if variant in ("D", "G", "O", "S"):
        return create_app(settings, mongo_listeners=[commands])
    if variant == "N":
        return naive_app(settings.mongodb_uri, settings.mongodb_db, [commands])
    if variant == "F":
        return create_floor_app(
            settings.mongodb_uri,
            settings.mongodb_db,
            [commands],
            authorized=CROWD_OPERATIONS | CROWD_WRITES,
        )
    raise SystemExit(f"unknown variant {variant!r}: use N, D, G, O, S or F")


def main() -> None:
    """Serve one variant on $HOST:$PORT until SIGTERM."""
    variant = sys.argv[1]
    commands = CommandCounter()
    app = build(variant, commands)
    served: ASGIApp = app
    if os.environ.get("BENCH_COUNTERS") == "1":
        served = CountersEndpoint(app, commands)
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"])
    uvicorn.run(served, host=host, port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
