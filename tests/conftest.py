"""Shared fixtures: real servers first (session-scoped, sync), app fixtures below."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from crowdhire.cache import ObjectCache
from crowdhire.dev.servers import (
    MemcachedServer,
    MongodServer,
)
from crowdhire.dev.smtp import DevSmtpServer
from crowdhire.dev.stripe import LocalStripeServer
from crowdhire.matching.embeddings import TextEncoder, shared_encoder
from crowdhire.server import create_app
from crowdhire.settings import Environment, Settings
from tests.auth_support import AUDIENCE, Issuer, JwksServer
from tests.support import CommandCounter
from tests.uvicorn_support import started

# One mongod (single-node replica set rs0) and one memcached per test session, on free ports,
# stopped at the end. MONGODB_URI / MEMCACHED_URL point the suite at servers you run yourself.


@pytest.fixture(scope="session")
def mongodb_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A replica-set URI: $MONGODB_URI if set, else a mongod started for this session."""
    external = os.environ.get("MONGODB_URI")
    if external:
        yield external
        return
    with MongodServer(tmp_path_factory.mktemp("mongod")) as server:
        yield server.uri


@pytest.fixture(scope="session")
def memcached_server() -> Iterator[MemcachedServer]:
    """A memcached started for this session, which tests may pause() and resume() (never stop)."""
    with MemcachedServer() as server:
        yield server


@pytest.fixture(scope="session")
def memcached_address(request: pytest.FixtureRequest) -> str:
    """The "host:port" of memcached: $MEMCACHED_URL if set, else the session's memcached_server."""
    external = os.environ.get("MEMCACHED_URL")
    if external:
        return external.removeprefix("memcached://").rstrip("/")
    server: MemcachedServer = request.getfixturevalue("memcached_server")
    return server.address


# The app on those servers
# Each test gets its own database (dropped afterwards) and a fresh app whose lifespan really
# runs: PyMongo async client, init_beanie, memcached client. Requests go in-process (ASGI).


@pytest.fixture(scope="session")
def text_encoder() -> TextEncoder:
    """The embedding model, loaded once per session (0.4 s, about 60 MB) for every test."""
    return shared_encoder()


@pytest.fixture
def mongo_commands() -> CommandCounter:
    """Counts the MongoDB commands the app under test sends."""
    return CommandCounter()


@pytest.fixture(scope="session")
def jwks_server() -> Iterator[JwksServer]:
    """A real loopback HTTP server publishing the test issuer's signing keys."""
    server = JwksServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def issuer(jwks_server: JwksServer) -> Issuer:
    """Signs bearer tokens the app under test accepts."""
    return Issuer(jwks_server)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[DevSmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback that keeps the messages it receives."""
    with DevSmtpServer() as server:
        yield server


@pytest.fixture
def mailbox(smtp_server: DevSmtpServer) -> DevSmtpServer:
    """The session's SMTP server, emptied for this test."""
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def settings(
    mongodb_uri: str, memcached_address: str, jwks_server: JwksServer, smtp_server: DevSmtpServer
) -> Settings:
    """Test settings: a fresh database, the session's memcached, SMTP server and issuer."""
    return Settings(
        crowdhire_env=Environment.TEST,
        smtp_url=smtp_server.url,
        public_base_url="http://test",
        # Tests run queued work themselves (`worker.drain()`): a polling worker would add its
        # claims to the MongoDB command counts the N+1 guards assert on.
        worker_enabled=False,
        # Each app start-up would collect the whole test process (and freeze it); the tuning
        # has its own test (tests/test_collector.py).
        gc_young_threshold=0,
        mongodb_uri=mongodb_uri,
        mongodb_db=f"test_{uuid.uuid4().hex[:16]}",
        memcached_url=memcached_address,
        cache_retry_seconds=0.2,
        auth0_issuer=jwks_server.issuer,
        auth0_jwks_url=jwks_server.jwks_url,
        auth0_audience=AUDIENCE,
    )


AppFactory = Callable[..., AbstractAsyncContextManager[tuple[Starlette, httpx.AsyncClient]]]


@pytest.fixture
def app_factory(settings: Settings, mongo_commands: CommandCounter) -> AppFactory:
    """Start an app (lifespan and all) with setting overrides; drops its database after."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
        app_settings = settings.model_copy(update=overrides)
        app = create_app(app_settings, mongo_listeners=[mongo_commands])
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                try:
                    yield app, client
                finally:
                    services = app.state.services
                    await services.mongo.drop_database(app_settings.mongodb_db)

    return start


@pytest.fixture
async def app(app_factory: AppFactory) -> AsyncIterator[Starlette]:
    """The app on the session's servers and a fresh database."""
    async with app_factory() as (started, _):
        yield started


@pytest.fixture
async def client(app: Starlette, issuer: Issuer) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process HTTP client for `app`, signed in as an admin (sees everything)."""
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {issuer.admin_token()}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        yield http


@pytest.fixture
async def anonymous_client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process HTTP client for `app` without a token."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def cache(app: Starlette) -> ObjectCache:
    """The object cache the app under test uses."""
    services = app.state.services
    object_cache: ObjectCache = services.cache
    return object_cache


# Payments: a real localstripe per session; the app served by a real uvicorn
# localstripe POSTs signed webhooks to a URL, so the app must listen on a loopback port.

STRIPE_TEST_KEY = "sk_test_crowdhire_suite"
STRIPE_TEST_WEBHOOK_SECRET = "whsec_crowdhire_suite"


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripeServer]:
    """localstripe (from PyPI) on a free port, from scratch, stopped at the end."""
    with LocalStripeServer() as server:
        yield server


@pytest.fixture
def stripe_settings(settings: Settings, localstripe: LocalStripeServer) -> Settings:
    """Test settings pointing the Stripe client and webhook at the session's localstripe."""
    return settings.model_copy(
        update={
            "stripe_api_key": SecretStr(STRIPE_TEST_KEY),
            "stripe_api_base": localstripe.url,
            "stripe_webhook_secret": SecretStr(STRIPE_TEST_WEBHOOK_SECRET),
        }
    )


@pytest.fixture
async def served_app(
    stripe_settings: Settings, localstripe: LocalStripeServer
) -> AsyncIterator[httpx.AsyncClient]:
    """The app under uvicorn on a free loopback port, registered as localstripe's webhook."""
    app = create_app(stripe_settings)
    async with started(app) as url:
        localstripe.register_webhook(
            "crowdhire-tests", f"{url}/webhooks/stripe", STRIPE_TEST_WEBHOOK_SECRET
        )
        try:
            async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                yield http
        finally:
            await app.state.services.mongo.drop_database(stripe_settings.mongodb_db)
