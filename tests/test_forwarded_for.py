"""Through the cluster's nginx: a client-sent X-Forwarded-For changes nothing about the budget, and
consent tokens never reach the access log.

Cheap on purpose: the cluster's own nginx config, in front of one app
served by uvicorn with the proxy settings `crowdhire serve` uses, on the session's servers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from graphql import parse

from crowdhire.dev.cluster import nginx, tls
from crowdhire.dev.cluster.layout import NGINX_SOURCE_ADDRESS, Layout, Ports
from crowdhire.dev.servers import HOST, free_port
from crowdhire.graphql.cost import query_cost
from crowdhire.graphql.schema import build_schema
from crowdhire.server import create_app
from crowdhire.settings import Settings
from tests.uvicorn_support import Serving, running

PAGE = "{ jobs(first: 100) { nodes { id } } }"
PAGE_COST = query_cost(build_schema()._schema, parse(PAGE))


@pytest.fixture
def nginx_logs(tmp_path: Path) -> Path:
    """Where the cluster's nginx under test writes its logs."""
    return tmp_path / "cluster" / "logs"


@pytest.fixture
async def through_nginx(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client (over https, trusting the cluster's CA) of the cluster's nginx, which proxies to
    one app trusting only nginx's own source address."""
    app_settings = settings.model_copy(
        update={"cost_budget_points": 4 * PAGE_COST + PAGE_COST // 2}
    )
    app = create_app(app_settings)
    app_port = free_port()
    trusted = NGINX_SOURCE_ADDRESS  # nginx connects from there; the apps trust only it
    tls_layout = Layout(tmp_path / "cluster")
    tls_layout.prepare()
    assert tls_layout.logs == tmp_path / "cluster" / "logs"
    ports = Ports(apps=[app_port], nginx=free_port(), nginx_tls=free_port())
    conf_file = nginx.write_config(tls_layout, ports)  # the cluster's own nginx.conf
    error_log = str(tls_layout.logs / "nginx-error.log")
    async with running(
        app, host=HOST, port=app_port, proxy_headers=True, forwarded_allow_ips=trusted
    ) as serving:
        proxy = await asyncio.create_subprocess_exec(
            nginx.find_nginx(), "-p", str(tls_layout.root), "-c", str(conf_file), "-e", error_log
        )
        try:
            base_url = f"https://{HOST}:{ports.nginx_tls}"
            verify = tls.client_context(tls_layout)
            async with httpx.AsyncClient(base_url=base_url, verify=verify, timeout=10) as http:
                await _until_answering(http, serving)
                yield http
        finally:
            proxy.terminate()
            await asyncio.wait_for(proxy.wait(), 10)
            await app.state.services.mongo.drop_database(app_settings.mongodb_db)


async def _until_answering(http: httpx.AsyncClient, serving: Serving) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        serving.check()
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("nginx and the app did not answer within 20 s")


async def test_a_spoofed_forwarded_for_does_not_reset_the_anonymous_budget(
    through_nginx: httpx.AsyncClient,
) -> None:
    statuses = [
        (await through_nginx.post("/graphql", json={"query": PAGE})).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]

    for spoofed in ["203.0.113.7", "198.51.100.1, 203.0.113.9", "127.0.0.1"]:
        response = await through_nginx.post(
            "/graphql", json={"query": PAGE}, headers={"X-Forwarded-For": spoofed}
        )
        assert response.status_code == 429, spoofed
        assert response.json()["extensions"]["cost"]["remaining"] < PAGE_COST


async def test_nginx_never_logs_a_consent_links_token(
    through_nginx: httpx.AsyncClient, nginx_logs: Path
) -> None:
    token = "secret-token-abc123"
    await through_nginx.get(f"/consent/{token}")

    access_log = nginx_logs / "nginx-access.log"
    deadline = time.monotonic() + 10  # nginx flushes its log buffer every second
    # Any line of the consent request, redacted or not (start-up health checks log lines too).
    while "/consent/" not in (access_log.read_text() if access_log.exists() else ""):
        assert time.monotonic() < deadline, "nginx wrote no access log line"
        await asyncio.sleep(0.2)
    logged = access_log.read_text()
    assert token not in logged
    assert '"GET /consent/-"' in logged
