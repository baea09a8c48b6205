"""Graceful shutdown and fail-fast start-up of `crowdhire serve` (real uvicorn, real mongod).

In-flight requests are made deterministic by freezing mongod with SIGSTOP: every request of the
burst is then provably inside the app (the in-flight gauge says so) when SIGTERM arrives.
The same holds for a burst of mutations: every acknowledged write is in MongoDB, exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from beanie import init_beanie
from pymongo import AsyncMongoClient

from crowdhire.dev.servers import MongodServer, free_port
from crowdhire.models import DOCUMENT_MODELS
from tests.auth_support import AUDIENCE, Issuer, JwksServer
from tests.factories import make_jobs_page_graph

QUERY = "query Burst { jobs(first: 5) { totalCount nodes { title company { name } } } }"
BURST = 12


def _serve(port: int, **env: str) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB", "MEMCACHED"))}
    return subprocess.Popen(
        [sys.executable, "-m", "crowdhire.cli", "serve"],
        env={
            **base,
            "CROWDHIRE_ENV": "test",
            "PORT": str(port),
            "CACHE_ENABLED": "false",  # every request reaches MongoDB
            "LOG_FORMAT": "json",
            # generous driver/request deadlines: mongod is frozen on purpose for a moment
            "MONGODB_TIMEOUT_MS": "30000",
            "MONGODB_OPERATION_TIMEOUT_MS": "50000",
            "REQUEST_TIMEOUT_SECONDS": "60",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited early:\n{process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("serve did not become ready")


def _in_flight(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    line = next(
        line for line in text.splitlines() if line.startswith("crowdhire_requests_in_flight")
    )
    return float(line.split()[-1])


def _refuses_connections(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.ConnectError:
        return True
    except httpx.HTTPError:
        return False
    return False


def _until(check: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting until {what}")


@contextmanager
def _frozen(mongod: MongodServer) -> Iterator[None]:
    assert mongod._proc is not None
    mongod._proc.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        mongod._proc.send_signal(signal.SIGCONT)


@pytest.fixture
def own_mongod(tmp_path: Path) -> Iterator[MongodServer]:
    """A mongod this test may freeze (the session's is shared)."""
    with MongodServer(tmp_path / "mongo") as server:
        yield server


def _seed(uri: str) -> None:
    async def seed() -> None:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
        await init_beanie(database=client["crowdhire"], document_models=DOCUMENT_MODELS)
        await make_jobs_page_graph(jobs=5, submissions_per_job=1)
        await client.close()

    asyncio.run(seed())


def _post(port: int) -> httpx.Response:
    with httpx.Client(timeout=120) as client:  # one connection per request
        return client.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY})


def test_sigterm_stops_accepting_finishes_in_flight_requests_and_closes_clients(
    own_mongod: MongodServer,
) -> None:
    _seed(own_mongod.uri)
    port = free_port()
    server = _serve(port, MONGODB_URI=own_mongod.uri)
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        try:
            _wait_ready(server, port)
            expected = _post(port).json()
            with _frozen(own_mongod):
                burst: list[Future[httpx.Response]] = [
                    pool.submit(_post, port) for _ in range(BURST)
                ]
                # every request of the burst is inside the app (plus this /metrics request)
                _until(lambda: _in_flight(port) >= BURST + 1, "the burst is in flight")
                server.send_signal(signal.SIGTERM)
                _until(lambda: _refuses_connections(port), "new connections are refused")
                still_serving = server.poll() is None
            responses = [future.result() for future in burst]
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            output, _ = server.communicate(timeout=120)

    assert still_serving, output
    assert expected["data"]["jobs"]["totalCount"] == 5
    assert [r.status_code for r in responses] == [200] * BURST, output
    assert all(r.json()["data"] == expected["data"] for r in responses)  # complete, parseable
    assert server.returncode == -signal.SIGTERM, output  # uvicorn re-raises the signal it caught
    assert "MongoDB and cache clients closed" in output
    logged = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    burst_lines = [e for e in logged if e.get("operation") == "Burst"]
    assert len(burst_lines) == BURST + 1
    assert all(e["status"] == 200 and e["outcome"] == "ok" for e in burst_lines)


def test_shutdown_is_bounded_when_a_request_never_finishes(own_mongod: MongodServer) -> None:
    port = free_port()
    server = _serve(port, MONGODB_URI=own_mongod.uri, SHUTDOWN_TIMEOUT_SECONDS="1")
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            _wait_ready(server, port)
            with _frozen(own_mongod):
                stuck = pool.submit(_post, port)
                _until(lambda: _in_flight(port) >= 2, "the request is in flight")
                server.send_signal(signal.SIGTERM)
                output, _ = server.communicate(timeout=90)  # mongod is still frozen
            cut_off = stuck.result()
        finally:
            if server.poll() is None:
                server.kill()
                server.communicate()

    # uvicorn cancels it and answers a complete 500 (never a torn 200), then the process ends
    assert (cut_off.status_code, cut_off.text) == (500, "Internal Server Error")
    assert "timeout graceful shutdown exceeded" in output.lower()
    # closing the client would wait on the frozen primary; it is given up on, not waited for
    assert "MongoDB client did not close within 5 s; left to the process exit" in output
    assert "MongoDB and cache clients closed" in output
    assert server.returncode == -signal.SIGTERM, output  # uvicorn re-raises the signal it caught


def test_start_up_fails_fast_with_a_clear_message_when_mongodb_is_unreachable() -> None:
    port = free_port()
    uri = f"mongodb://operator:s3cret-pass@127.0.0.1:{free_port()}/?replicaSet=rs0"
    server = _serve(
        port,
        MONGODB_URI=uri,
        MONGODB_STARTUP_TIMEOUT_SECONDS="1",
        MONGODB_TIMEOUT_MS="200",
    )
    output, _ = server.communicate(timeout=90)

    assert server.returncode != 0
    assert "MongoDB unreachable at start-up: no answer within 1 s" in output
    assert "MONGODB_STARTUP_TIMEOUT_SECONDS" in output
    assert "s3cret-pass" not in output


def test_start_up_waits_for_a_mongodb_that_comes_up_within_the_timeout(tmp_path: Path) -> None:
    mongo_port, port = free_port(), free_port()
    mongod = MongodServer(tmp_path / "mongo", port=mongo_port)
    server = _serve(
        port,
        MONGODB_URI=f"mongodb://127.0.0.1:{mongo_port}/?replicaSet=rs0",
        MONGODB_STARTUP_TIMEOUT_SECONDS="120",
        MONGODB_TIMEOUT_MS="500",
    )
    seen: list[str] = []
    try:
        assert server.stdout is not None
        while not any("waiting up to 120 s for MongoDB" in line for line in seen):
            line = server.stdout.readline()
            assert line, "".join(seen)  # serve must wait, not exit
            seen.append(line)
        assert _refuses_connections(port)  # not serving before MongoDB answers
        mongod.start()
        _wait_ready(server, port)
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY}, timeout=30)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
        mongod.stop()

    assert answer.json()["data"]["jobs"]["totalCount"] == 0, "".join(seen) + output


REGISTER = """mutation Join($input: RegisterRecruiterInput!) {
  registerRecruiter(input: $input) { recruiter { id } userErrors { code } }
}"""


def _register(port: int, token: str, n: int) -> httpx.Response:
    variables = {"input": {"displayName": f"Burst {n}", "email": f"burst{n}@example.test",
                           "clientMutationId": f"burst-{n}"}}  # fmt: skip
    with httpx.Client(timeout=120) as client:
        return client.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": REGISTER, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )


def _recruiter_subs(uri: str) -> list[str]:
    async def read() -> list[str]:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
        try:
            cursor = client["crowdhire"]["recruiters"].find({}, {"sub": 1})
            return [doc["sub"] async for doc in cursor]
        finally:
            await client.close()

    return asyncio.run(read())


def test_sigterm_mid_burst_of_mutations_loses_no_acknowledged_write(
    own_mongod: MongodServer, jwks_server: JwksServer, issuer: Issuer
) -> None:
    port = free_port()
    server = _serve(
        port,
        MONGODB_URI=own_mongod.uri,
        AUTH0_ISSUER=jwks_server.issuer,
        AUTH0_JWKS_URL=jwks_server.jwks_url,
        AUTH0_AUDIENCE=AUDIENCE,
    )
    tokens = [issuer.token(f"auth0|burst-{n}") for n in range(BURST)]
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        try:
            _wait_ready(server, port)
            warm = _register(port, issuer.token("auth0|warm-up"), -1)
            assert warm.status_code == 200, warm.text
            with _frozen(own_mongod):
                burst = [pool.submit(_register, port, tokens[n], n) for n in range(BURST)]
                _until(lambda: _in_flight(port) >= BURST + 1, "the burst is in flight")
                server.send_signal(signal.SIGTERM)
                _until(lambda: _refuses_connections(port), "new connections are refused")
            responses = [future.result() for future in burst]
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            output, _ = server.communicate(timeout=120)

    acknowledged = [
        f"auth0|burst-{n}"
        for n, response in enumerate(responses)
        if response.status_code == 200
        and response.json()["data"]["registerRecruiter"]["recruiter"] is not None
    ]
    assert len(acknowledged) == BURST, output  # all finished before the process ended
    stored = _recruiter_subs(own_mongod.uri)
    assert sorted(s for s in stored if s.startswith("auth0|burst-")) == sorted(acknowledged)
