"""Shared fixtures: real servers first (session-scoped, sync), app fixtures below."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from crowdhire.cache import ObjectCache
from crowdhire.devservers import MemcachedServer, MongodServer
from crowdhire.server import create_app
from crowdhire.settings import Environment, Settings
from tests.support import CommandCounter

# --- real servers ---
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


# --- the app on those servers ---
# Each test gets its own database (dropped afterwards) and a fresh app whose lifespan really
# runs: PyMongo async client, init_beanie, memcached client. Requests go in-process (ASGI).


@pytest.fixture
def mongo_commands() -> CommandCounter:
    """Counts the MongoDB commands the app under test sends."""
    return CommandCounter()


@pytest.fixture
def settings(mongodb_uri: str, memcached_address: str) -> Settings:
    """Test settings: a fresh database name, the session's memcached."""
    return Settings(
        crowdhire_env=Environment.TEST,
        mongodb_uri=mongodb_uri,
        mongodb_db=f"test_{uuid.uuid4().hex[:16]}",
        memcached_url=memcached_address,
        cache_retry_seconds=0.2,
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
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process HTTP client for `app`."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def cache(app: Starlette) -> ObjectCache:
    """The object cache the app under test uses."""
    services = app.state.services
    object_cache: ObjectCache = services.cache
    return object_cache
