"""When cached responses go stale: each HTTP request's footprint, and the new versions of the
tags its writes changed (crowdhire.tags.versions), set after the data is committed and before
its response leaves."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowdhire.cache import ObjectCache
from crowdhire.footprints import announce_writes, begin_footprint, end_footprint


class FreshnessMiddleware:
    """Tracks each HTTP request's footprint; announces its writes before the response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request inside a fresh footprint."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        footprint, token = begin_footprint()
        services: Any = getattr(scope["app"].state, "services", None)
        cache: ObjectCache | None = services.cache if services is not None else None
        database: str = services.settings.mongodb_db if services is not None else ""

        def wrote() -> bool:
            return bool(footprint.changes or footprint.written)

        async def announcing_send(message: Message) -> None:
            # Handlers commit before they answer: the new versions land before the client can
            # send its next request.
            if message["type"] == "http.response.start" and cache and wrote():
                await announce_writes(cache, database, footprint)
            await send(message)

        try:
            await self.app(scope, receive, announcing_send)
        finally:
            if cache is not None and wrote():
                await announce_writes(cache, database, footprint)
            end_footprint(footprint, token)
