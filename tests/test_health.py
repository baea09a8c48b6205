"""Liveness and readiness endpoints."""

from __future__ import annotations

from pathlib import Path

import httpx

from crowdhire.dev.servers import MongodServer
from crowdhire.server import create_app
from crowdhire.settings import Environment, Settings


async def test_healthz_and_readyz_answer_ok(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()["status"]) == (200, "ok")


async def test_readyz_is_503_with_a_reason_when_mongodb_is_gone(tmp_path: Path) -> None:
    mongod = MongodServer(tmp_path / "mongo")
    # Readiness only: no background worker, whose loops have their own shutdown tests.
    settings = Settings(
        crowdhire_env=Environment.TEST,
        mongodb_uri=mongod.start(),
        mongodb_timeout_ms=500,
        worker_enabled=False,
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get("/readyz")).status_code == 200
                mongod.stop()

                response = await client.get("/readyz")
                health = await client.get("/healthz")
    finally:
        mongod.stop()

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "mongodb unreachable"}
    assert "127.0.0.1" not in response.text
    assert health.status_code == 200
