"""The Starlette application: lifespan (MongoDB, Beanie, cache), routes and the GraphQL view."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from crowdhire.cache import ObjectCache, build_cache
from crowdhire.context import Context, build_context
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.schema import build_schema
from crowdhire.settings import Settings

log = logging.getLogger("crowdhire.server")


@dataclass
class Services:
    """What the lifespan opens once and every request shares."""

    settings: Settings
    mongo: AsyncMongoClient[dict[str, Any]]
    cache: ObjectCache


def mongo_client(
    settings: Settings, listeners: Sequence[CommandListener] = ()
) -> AsyncMongoClient[dict[str, Any]]:
    """The PyMongo async client every part of the app shares."""
    if not settings.mongodb_uri:
        raise RuntimeError("MONGODB_URI is not set (the CLI starts an embedded mongod in dev)")
    return AsyncMongoClient(
        settings.mongodb_uri,
        tz_aware=True,
        serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
        connectTimeoutMS=settings.mongodb_timeout_ms,
        event_listeners=list(listeners),
        appname="crowdhire",
    )


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with crowdhire's typed per-request context."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        """Fresh loaders and the viewer for this request."""
        services: Services = request.app.state.services
        http_request = request if isinstance(request, Request) else None
        return build_context(
            services.settings, services.cache, request=http_request, response=response
        )


async def healthz(_: Request) -> Response:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: MongoDB answers a ping within two seconds."""
    services: Services = request.app.state.services
    try:
        async with asyncio.timeout(2):
            await services.mongo.admin.command("ping")
    except Exception:
        log.warning("readiness check: MongoDB unreachable", exc_info=True)
        return JSONResponse({"status": "unavailable", "reason": "mongodb unreachable"}, 503)
    return JSONResponse({"status": "ok", "mongodb": "ok"})


def create_app(
    settings: Settings,
    *,
    mongo_listeners: Sequence[CommandListener] = (),
    cache: ObjectCache | None = None,
) -> Starlette:
    """The ASGI app; MongoDB and the cache open in its lifespan and close with it."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = mongo_client(settings, mongo_listeners)
        await init_beanie(database=client[settings.mongodb_db], document_models=DOCUMENT_MODELS)
        object_cache = cache if cache is not None else build_cache(settings)
        app.state.services = Services(settings=settings, mongo=client, cache=object_cache)
        try:
            yield
        finally:
            await object_cache.close()
            await client.close()

    view = GraphQLView(
        build_schema(),
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
    )
    routes = [
        Route("/graphql", view, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    # Outermost first. Each cross-cutting concern (auth, limits, logging…) adds one entry.
    middleware: list[Middleware] = []
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
