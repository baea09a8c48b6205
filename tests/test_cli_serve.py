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

from crowdhire.dev.servers import free_port

JOB_COUNT = "{ jobs { totalCount } companies { totalCount } }"
FIRST_COMPANY = "{ companies(first: 1, orderBy: SLUG_ASC) { nodes { slug } } }"
MY_SUBMISSIONS = "{ submissions(first: 100) { nodes { job { company { slug } } } } }"


def _env(data_dir: Path, port: int) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MONGODB", "MEMCACHED"))},
        "CROWDHIRE_ENV": "dev",
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
    }


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "crowdhire.cli", "serve"],
        env=_env(data_dir, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _token(data_dir: Path, port: int, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "crowdhire.cli", "token", *args],
        env=_env(data_dir, port),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def _query(port: int, query: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"http://127.0.0.1:{port}/graphql"
    return httpx.post(url, json={"query": query}, headers=headers, timeout=30)


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
        admin = _token(tmp_path, port, "--as", "admin")
        response = _query(port, JOB_COUNT, admin)
        anonymous = _query(port, JOB_COUNT)
        slug = _query(port, FIRST_COMPANY, admin).json()["data"]["companies"]["nodes"][0]["slug"]
        owner = _token(tmp_path, port, "--as", "company", "--company", slug)
        as_owner = _query(port, MY_SUBMISSIONS, owner)
        jwks = httpx.get(f"http://127.0.0.1:{port}/.well-known/jwks.json", timeout=10)
        graphiql = httpx.get(
            f"http://127.0.0.1:{port}/graphql", headers={"Accept": "text/html"}, timeout=10
        )
        mongod_pid = _mongod_pid(tmp_path)
    finally:
        output = _stop(first)

    assert response.status_code == 200, output
    assert response.json()["data"] == {"jobs": {"totalCount": 200}, "companies": {"totalCount": 20}}
    open_jobs = anonymous.json()["data"]["jobs"]["totalCount"]
    assert 0 < open_jobs < 200
    assert as_owner.status_code == 200, as_owner.text
    seen = as_owner.json()["data"]["submissions"]["nodes"]
    assert seen, "the seeded owner sees their company's submissions"
    assert {node["job"]["company"]["slug"] for node in seen} == {slug}
    assert [key["kty"] for key in jwks.json()["keys"]] == ["RSA"]
    assert graphiql.status_code == 200
    assert "graphiql" in graphiql.text.lower()
    assert "crowdhire token --as admin" in graphiql.text  # how to sign in, on the page
    assert first.returncode == 0, output
    assert not _alive(mongod_pid), "embedded mongod outlived `crowdhire serve`"

    second = _serve(tmp_path, port)
    try:
        _wait_ready(second, port)
        again = _query(port, JOB_COUNT, admin)
    finally:
        second_output = _stop(second)

    assert again.json()["data"]["jobs"]["totalCount"] == 200, second_output
    assert "not seeding" in second_output
