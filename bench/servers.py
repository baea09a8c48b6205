"""The processes one run owns: mongod, memcached, the dataset, one uvicorn per variant."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from beanie import init_beanie
from bson import ObjectId
from pymongo import AsyncMongoClient, MongoClient

from crowdhire.auth.dev import mint_dev_token
from crowdhire.auth.viewer import ADMIN_PERMISSION
from crowdhire.dev.seed import seed_demo
from crowdhire.dev.servers import HOST, free_port
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.settings import Environment, Settings

DB_NAME = "crowdhire_bench"
ROOT = Path(__file__).resolve().parent.parent


async def _seed(uri: str, scale: float) -> dict[str, int]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    try:
        await client.drop_database(DB_NAME)
        await init_beanie(database=client[DB_NAME], document_models=DOCUMENT_MODELS)
        return await seed_demo(scale=scale, progress=sys.stderr.isatty())
    finally:
        await client.close()


def load_dataset(uri: str, scale: float) -> tuple[dict[str, int], list[ObjectId]]:
    """Seed the demo data at `scale` (indexes included); return counts and candidate ids."""
    counts = asyncio.run(_seed(uri, scale))
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    with client:
        ids: list[ObjectId] = client[DB_NAME]["candidates"].distinct("_id")
    return counts, sorted(ids)


def flush_memcached(address: str) -> None:
    """Empty memcached (`flush_all`), for cold-cache measurements."""
    host, _, port = address.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"flush_all\r\n")
        if not sock.recv(64).startswith(b"OK"):
            raise RuntimeError("memcached refused flush_all")


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class VariantServer:
    """One variant running as its own uvicorn process."""

    name: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        """Spawn `python -m bench.serve NAME` and wait until it answers."""
        env = {**os.environ, **self.env, "PORT": str(self.port), "BENCH_COUNTERS": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", self.name[0]], env=env, cwd=ROOT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"variant {self.name} exited with {self.proc.returncode}")
            try:
                httpx.get(f"{self.url}/__bench/stats", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"variant {self.name} did not answer in 60 s")

    def wait_idle(self, timeout: float = 180) -> None:
        """Wait until no request is in flight (a load run can leave slow requests running)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if httpx.get(f"{self.url}/__bench/stats", timeout=timeout).json()["inflight"] == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"variant {self.name} still busy after {timeout} s")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    @property
    def pid(self) -> int:
        """The uvicorn process id."""
        assert self.proc is not None
        return self.proc.pid


def admin_token(data_dir: Path) -> str:
    """A dev-issuer bearer token with `admin:all`, so D and S show every submission as N and F do.

    The key is created under `data_dir`; D and S run in dev mode with the same DATA_DIR, so they
    verify it (a real RS256 verification on every request, as in production).
    """
    settings = Settings(crowdhire_env=Environment.DEV, data_dir=data_dir)
    return mint_dev_token(settings, "bench|admin", [ADMIN_PERMISSION])


BEFORE_READ_PATH_WORK = {
    "GRAPHQL_COMPILED_EXECUTION": "false",
    "TRUSTED_READS": "false",
    "GC_YOUNG_THRESHOLD": "0",
    "PROJECTED_PAGES": "false",
    "PROJECTED_OBJECTS": "false",
    "VERIFIED_TOKEN_SECONDS": "0",
}
"""The settings that turn the #15 read-path optimizations off."""


def variant_servers(mongo_uri: str, memcached: str, data_dir: Path) -> list[VariantServer]:
    """N, D, G, O, S and F, all against the same database.

    O is crowdhire with the object cache only; S adds the response cache (the default). G is D
    with the read-path optimizations turned off, so their effect is measured in the same run.
    """
    common = {
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": DB_NAME,
        "CROWDHIRE_ENV": "dev",
        # the default per-query cost limit applies; a load run spends far more than one
        # identity's budget per window
        "COST_BUDGET_POINTS": "1000000000000",
        "DATA_DIR": str(data_dir),
        "SEED_DEMO": "false",
        "CROWDHIRE_GRAPHIQL": "false",
    }
    return [
        VariantServer("N", common),
        VariantServer("D", {**common, "CACHE_ENABLED": "false"}),
        # D before the read-path work: graphql-core's executor for every field
        VariantServer("G", {**common, "CACHE_ENABLED": "false", **BEFORE_READ_PATH_WORK}),
        VariantServer(
            "O",
            {
                **common,
                "CACHE_ENABLED": "true",
                "MEMCACHED_URL": memcached,
                "RESPONSE_CACHE_ENABLED": "false",
            },
        ),
        VariantServer("S", {**common, "CACHE_ENABLED": "true", "MEMCACHED_URL": memcached}),
        VariantServer("F", common),
    ]
