"""One way for tests to run an ASGI app under a real uvicorn, with a shutdown that cannot hang.

uvicorn's default shutdown waits for every open connection and background task without a limit;
a server-side websocket handler that misses its client's close once kept a CI run waiting until
its time ran out. Here shutdown gives connections a few seconds, then uvicorn cancels them, and a
server that still has not stopped fails the test instead of stalling the suite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from crowdhire.dev.servers import free_port

GRACEFUL_SHUTDOWN_SECONDS = 5
# uvicorn's own cancel-after-grace plus the app's lifespan shutdown fit well inside this.
STOPPED_WITHIN_SECONDS = 60


@dataclass
class Serving:
    """A uvicorn server serving in `task`; `url` is its base URL (http://host:port)."""

    server: uvicorn.Server
    task: asyncio.Task[None]
    url: str

    def check(self) -> None:
        """Re-raise why the server stopped, if it did."""
        if self.task.done():
            self.task.result()


@asynccontextmanager
async def running(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int | None = None, **config: Any
) -> AsyncIterator[Serving]:
    """Serve `app` on `host:port` (a free port by default) until the block ends, without waiting
    for it to listen (callers that probe through a proxy wait their own way)."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            **config,
        )
    )
    serving = Serving(server, asyncio.create_task(server.serve()), f"http://{host}:{port}")
    try:
        yield serving
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving.task, STOPPED_WITHIN_SECONDS)


@asynccontextmanager
async def started(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int | None = None
) -> AsyncIterator[str]:
    """Serve `app` and wait until it listens; yields its base URL."""
    async with running(app, host=host, port=port) as serving:
        while not serving.server.started:
            serving.check()
            await asyncio.sleep(0.02)
        yield serving.url
