"""`crowdhire serve` in dev mode, as `make run` runs it: real mongod, seed, uvicorn, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from crowdhire.devservers import free_port

JOB_COUNT = "{ jobs { totalCount } companies { totalCount } }"


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MONGODB", "MEMCACHED"))},
        "CROWDHIRE_ENV": "dev",
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "crowdhire.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_ready(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"serve exited early:\n{output}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    pytest.fail("serve did not become ready")


def _mongod_pid(data_dir: Path) -> int:
    lock = data_dir / "mongo" / "mongod.lock"
    return int(lock.read_text().strip())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return output.decode()


def test_serve_seeds_once_answers_graphql_and_stops_its_mongod(tmp_path: Path) -> None:
    port = free_port()
    first = _serve(tmp_path, port)
    try:
        _wait_ready(first, port)
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": JOB_COUNT}, timeout=30
        )
        graphiql = httpx.get(
            f"http://127.0.0.1:{port}/graphql", headers={"Accept": "text/html"}, timeout=10
        )
        mongod_pid = _mongod_pid(tmp_path)
    finally:
        output = _stop(first)

    assert response.status_code == 200, output
    assert response.json()["data"] == {"jobs": {"totalCount": 200}, "companies": {"totalCount": 20}}
    assert graphiql.status_code == 200
    assert "graphiql" in graphiql.text.lower()
    assert first.returncode == 0, output
    assert not _alive(mongod_pid), "embedded mongod outlived `crowdhire serve`"

    second = _serve(tmp_path, port)
    try:
        _wait_ready(second, port)
        again = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": JOB_COUNT}, timeout=30
        )
    finally:
        second_output = _stop(second)

    assert again.json()["data"]["jobs"]["totalCount"] == 200, second_output
    assert "not seeding" in second_output
