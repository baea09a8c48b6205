"""The Starlette application: lifespan (MongoDB, Beanie, cache), routes and the GraphQL view."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket

from crowdhire.auth import build_verifier
from crowdhire.auth.dev import dev_public_jwk
from crowdhire.auth.middleware import BearerAuthMiddleware, claims_of
from crowdhire.auth.roles import viewer_for
from crowdhire.auth.tokens import TokenVerifier
from crowdhire.cache import ObjectCache, build_cache
from crowdhire.consent_page import consent_routes
from crowdhire.context import Context, build_context
from crowdhire.events.retention import ensure_retention_index
from crowdhire.events.stream import EventStream
from crowdhire.file_routes import get_download, put_upload
from crowdhire.footprints import FootprintListener, task_footprint
from crowdhire.graphql.budget import Clock, build_budget, build_counters
from crowdhire.graphql.cors import cors_middleware
from crowdhire.graphql.freshness import FreshnessMiddleware
from crowdhire.graphql.graphiql import ASSETS_PATH, graphiql_assets, graphiql_page
from crowdhire.graphql.schema import build_schema
from crowdhire.graphql.view import HardenedGraphQLView
from crowdhire.graphql.websocket import SocketIdentity, authenticate_payload
from crowdhire.loaders.cursor_seal import use_cursor_secret
from crowdhire.mail.consent_email import consent_email_handler
from crowdhire.matching.service import MatchingService
from crowdhire.matching.tasks import EMBED_TASK
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.models.events import OutboxEvent
from crowdhire.observability.collector import tuned_collection
from crowdhire.observability.lifecycle import (
    MongoUnreachableError,
    close_within,
    wait_for_mongodb,
)
from crowdhire.observability.middleware import ObservabilityMiddleware, metrics
from crowdhire.observability.mongo import MongoMetrics
from crowdhire.payments.gateway import GATEWAY_STATE, build_gateway
from crowdhire.payments.webhook import stripe_webhook
from crowdhire.resolvers.consent_requests import CONSENT_EMAIL_TASK
from crowdhire.resolvers.document_tasks import document_task_handlers
from crowdhire.secret_files import cursor_secret
from crowdhire.settings import Settings
from crowdhire.tasks.worker import Handler, TaskWorker
from crowdhire.webhooks.service import WebhookService

log = logging.getLogger("crowdhire.server")


@dataclass
class Services:
    """What the lifespan opens once and every request shares."""

    settings: Settings
    mongo: AsyncMongoClient[dict[str, Any]]
    cache: ObjectCache
    worker: TaskWorker
    matching: MatchingService
    events: EventStream
    webhooks: WebhookService
    verifier: TokenVerifier | None = None


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
        timeoutMS=settings.mongodb_operation_timeout_ms,  # hardening: below the request deadline
    )


class GraphQLView(HardenedGraphQLView):
    """Strawberry's ASGI view with crowdhire's typed per-request context."""

    services: Services  # set by the lifespan once MongoDB and the token verifier are open

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        """Fresh loaders and the viewer for this request."""
        services: Services = request.app.state.services
        http_request = request if isinstance(request, Request) else None
        context = build_context(
            services.settings, services.cache, request=http_request, response=response
        )
        context.matching = services.matching
        context.viewer = await viewer_for(claims_of(request.scope), context.loaders.roles_by_sub)
        if http_request is None:
            context.events = services.events
        return context

    async def authenticate_socket(
        self, context: Context, payload: dict[str, object]
    ) -> SocketIdentity:
        """connection_init: the payload's token, verified as HTTP verifies a header."""
        services: Services = self.services
        return await authenticate_payload(payload, services.verifier, context.loaders.roles_by_sub)

    async def render_graphql_ide(self, request: Request) -> Response:
        """crowdhire's own GraphiQL page (vendored assets, strict CSP, the sign-in note)."""
        services: Services = request.app.state.services
        return graphiql_page(services.settings)


async def healthz(_: Request) -> Response:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: MongoDB answers a ping within two seconds; memcached down is only degraded."""
    services: Services = request.app.state.services
    try:
        async with asyncio.timeout(2):
            await services.mongo.admin.command("ping")
    except Exception:
        log.warning("readiness check: MongoDB unreachable", exc_info=True)
        return JSONResponse({"status": "unavailable", "reason": "mongodb unreachable"}, 503)
    body = {"status": "ok", "mongodb": "ok"}
    # The cache fails open, so a memcached outage slows replicas but must not pull them all.
    if services.settings.memcached_url and services.settings.cache_enabled:
        if await services.cache.ping():
            body["memcached"] = "ok"
        else:
            body |= {"status": "degraded", "memcached": "degraded"}
    return JSONResponse(body)


async def dev_jwks(request: Request) -> Response:
    """Dev mode only: the public key of the app's own token issuer."""
    services: Services = request.app.state.services
    return JSONResponse({"keys": [dev_public_jwk(services.settings)]})


def task_handlers(
    settings: Settings,
    cache: ObjectCache,
    matching: MatchingService,
    webhooks: WebhookService | None = None,
) -> dict[str, Handler]:
    """The background task kinds this process knows how to run, by name."""
    return {
        CONSENT_EMAIL_TASK: consent_email_handler(settings, cache),
        EMBED_TASK: matching.embed,
        **document_task_handlers(settings),
        **(webhooks.handlers() if webhooks is not None else {}),
    }


def create_app(
    settings: Settings,
    *,
    mongo_listeners: Sequence[CommandListener] = (),
    cache: ObjectCache | None = None,
    clock: Clock = time.time,
) -> Starlette:
    """The ASGI app; MongoDB and the cache open in its lifespan and close with it."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = mongo_client(settings, [MongoMetrics(), FootprintListener(), *mongo_listeners])
        try:
            await wait_for_mongodb(client, settings.mongodb_startup_timeout_seconds,
                                   settings.mongodb_timeout_ms / 1000)  # fmt: skip
        except MongoUnreachableError:
            await client.close()
            raise
        await init_beanie(database=client[settings.mongodb_db], document_models=DOCUMENT_MODELS)
        await ensure_retention_index(settings.outbox_retention_days)
        use_cursor_secret(cursor_secret(settings))
        object_cache = cache if cache is not None else build_cache(settings)
        verifier, jwks = build_verifier(settings)
        matching = MatchingService(settings.matching_refresh_seconds, settings.matching_index)
        await matching.start(load_model=settings.worker_enabled)
        # Its own client: the change stream's long-polling getMore stays out of the request
        # metrics and the command counts of the app's listeners.
        stream_client = mongo_client(settings)
        events = EventStream(
            stream_client[settings.mongodb_db][OutboxEvent.get_collection_name()],
            queue_size=settings.subscription_queue_size,
        )
        webhooks = WebhookService(settings, object_cache)
        worker = TaskWorker(
            task_handlers(settings, object_cache, matching, webhooks),
            poll_seconds=settings.worker_poll_seconds,
            lease_seconds=settings.worker_lease_seconds,
            concurrency=settings.worker_concurrency,
            around=partial(task_footprint, object_cache, settings.mongodb_db),
        )
        app.state.services = Services(
            settings=settings,
            mongo=client,
            cache=object_cache,
            worker=worker,
            matching=matching,
            events=events,
            webhooks=webhooks,
            verifier=verifier,
        )
        view.services = app.state.services
        if settings.worker_enabled:
            worker.start()
            webhooks.start(worker)
        setattr(app.state, GATEWAY_STATE, stripe_gateway := build_gateway(settings))
        try:
            with tuned_collection(settings.gc_young_threshold):
                yield
        finally:
            await webhooks.stop()
            await worker.stop()
            await events.stop()
            await close_within(stream_client.close(), "MongoDB change-stream client")
            await matching.stop()
            if stripe_gateway is not None:
                await stripe_gateway.close()
            if jwks is not None:
                await jwks.close()
            await object_cache.close()
            await budget.close()
            await counters.close()
            await close_within(client.close(), "MongoDB client")
            log.info("MongoDB and cache clients closed")

    # Hardening: limits, cost and budget in the schema; HTTP rules in the view.
    counters = build_counters(settings)
    budget = build_budget(settings, counters, clock)
    view = GraphQLView(
        build_schema(settings, budget=budget),
        settings=settings,
        budget=budget,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
    )
    routes: list[BaseRoute] = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/webhooks/stripe", stripe_webhook, methods=["POST"]),
        *consent_routes(),
        Route("/uploads/{token}", put_upload, methods=["PUT"]),
        Route("/files/{token}", get_download, methods=["GET"]),
    ]
    if settings.dev_issuer:
        routes.append(Route("/.well-known/jwks.json", dev_jwks))
    if settings.graphiql_enabled:
        routes.append(Mount(ASSETS_PATH, graphiql_assets()))
    # Outermost first. Each cross-cutting concern (auth, limits, logging…) adds one entry.
    middleware: list[Middleware] = [
        Middleware(ObservabilityMiddleware),  # outermost: times and logs rejections too
        Middleware(BearerAuthMiddleware),
        Middleware(FreshnessMiddleware),  # announces writes before a response leaves
    ]
    if cors := cors_middleware(settings):  # hardening: an allow-list, never '*' with credentials
        middleware.insert(1, cors)
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.budget = budget
    return app
