"""A steady mixed load through nginx (asyncio + httpx), bounded in requests and seconds.

Reads: the jobs page and node lookups, from a pool of signed-in readers. Writes: registerRecruiter
for a fresh subject each, always with a clientMutationId, retried with the same key until it is
acknowledged, so each acknowledged write must be exactly one Recruiter with that subject.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from crowdhire.auth.dev import mint_dev_token
from crowdhire.settings import Environment, Settings

JOBS = "query JobsPage { jobs(first: 20) { nodes { id title company { name } } } }"
NODE = "query JobNode($id: ID!) { node(id: $id) { ... on Job { title company { name } } } }"
REGISTER = """mutation Register($input: RegisterRecruiterInput!) {
  registerRecruiter(input: $input) { recruiter { id } userErrors { code message } } }"""
READERS = 24
WRITE_RETRY_SECONDS = 40.0


@dataclass(frozen=True)
class Sample:
    """One HTTP request as the client saw it."""

    start: float
    end: float
    kind: str  # "read" or "write"
    ok: bool
    upstream: str = ""
    error: str = ""


@dataclass
class LoadConfig:
    """How hard and how long to push."""

    rate: float = 30.0  # requests per second, all workers together
    concurrency: int = 6
    write_ratio: float = 0.2
    max_requests: int = 20_000
    max_seconds: float = 120.0


@dataclass
class LoadDriver:
    """Runs until stop() (or its bounds) and keeps every sample and acknowledged write."""

    url: str
    data_dir: str
    config: LoadConfig = field(default_factory=LoadConfig)
    verify: ssl.SSLContext | bool = True  # the cluster's CA for its https endpoint
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    samples: list[Sample] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)  # sub -> recruiter id
    attempted: set[str] = field(default_factory=set)
    job_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._settings = Settings(crowdhire_env=Environment.DEV, data_dir=self.data_dir)
        self._readers = [self.token(f"drill|reader-{i}") for i in range(READERS)]
        self._stopping = asyncio.Event()
        self._writes = 0
        self._t0 = time.monotonic()

    def token(self, sub: str) -> str:
        """A dev-issuer token for `sub`, valid on every instance (shared DATA_DIR)."""
        return mint_dev_token(self._settings, sub, [])

    def stop(self) -> None:
        """Ask the workers to finish (a write being retried is finished first)."""
        self._stopping.set()

    async def run(self) -> None:
        """Drive the load until stop(), max_seconds or max_requests."""
        limits = httpx.Limits(max_connections=self.config.concurrency * 2)
        async with httpx.AsyncClient(timeout=35.0, limits=limits, verify=self.verify) as client:
            await self._discover_jobs(client)
            self._t0 = time.monotonic()
            workers = [self._worker(client, n) for n in range(self.config.concurrency)]
            await asyncio.gather(*workers)

    async def _discover_jobs(self, client: httpx.AsyncClient) -> None:
        body = {"query": "{ jobs(first: 100) { nodes { id } } }"}
        for _ in range(50):
            try:
                response = await client.post(self.url, json=body, headers=self._auth())
                nodes = response.json()["data"]["jobs"]["nodes"]
                self.job_ids = [node["id"] for node in nodes]
                return
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                await asyncio.sleep(0.2)
        raise RuntimeError("load driver: the jobs page never answered")

    def _auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or random.choice(self._readers)}"}

    def _done(self) -> bool:
        elapsed = time.monotonic() - self._t0
        full = len(self.samples) >= self.config.max_requests
        return self._stopping.is_set() or full or elapsed > self.config.max_seconds

    async def _worker(self, client: httpx.AsyncClient, number: int) -> None:
        interval = self.config.concurrency / self.config.rate
        next_at = time.monotonic() + number * interval / self.config.concurrency
        while not self._done():
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at = max(next_at + interval, time.monotonic())
            if random.random() < self.config.write_ratio:
                await self._write(client)
            else:
                await self._read(client)

    async def _read(self, client: httpx.AsyncClient) -> None:
        if self.job_ids and random.random() < 0.5:
            body: dict[str, Any] = {"query": NODE, "variables": {"id": random.choice(self.job_ids)}}
        else:
            body = {"query": JOBS}
        await self._send(client, "read", body, self._auth())

    async def _write(self, client: httpx.AsyncClient) -> None:
        self._writes += 1
        sub = f"drill|{self.run_id}-{self._writes}"
        key = uuid.uuid4().hex
        profile = {"displayName": f"Drill {self._writes}", "email": f"w{self._writes}@drill.test"}
        body = {"query": REGISTER, "variables": {"input": {**profile, "clientMutationId": key}}}
        headers = self._auth(self.token(sub))
        self.attempted.add(sub)
        give_up = time.monotonic() + WRITE_RETRY_SECONDS
        while time.monotonic() < give_up:
            data = await self._send(client, "write", body, headers)
            if data is not None:
                self.acknowledged[sub] = data["registerRecruiter"]["recruiter"]["id"]
                return
            await asyncio.sleep(0.25)  # same clientMutationId: a retry cannot duplicate

    async def _send(
        self, client: httpx.AsyncClient, kind: str, body: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any] | None:
        start = time.monotonic()
        upstream, error, data = "", "", None
        try:
            response = await client.post(self.url, json=body, headers=headers)
            upstream = response.headers.get("x-upstream", "").split(",")[-1].strip()
            payload = response.json()
            data, error = _judge(kind, response.status_code, payload)
        except (httpx.HTTPError, ValueError) as exc:
            error = type(exc).__name__
        self.samples.append(Sample(start, time.monotonic(), kind, not error, upstream, error))
        return data


def _judge(kind: str, status: int, payload: Any) -> tuple[dict[str, Any] | None, str]:
    """(data, "") when the request did what was asked, else (None, why)."""
    if status != 200:
        return None, f"HTTP {status}"
    if not isinstance(payload, dict) or payload.get("errors") or not payload.get("data"):
        codes = [e.get("extensions", {}).get("code", "?") for e in payload.get("errors") or []]
        return None, "errors " + ",".join(codes)
    data: dict[str, Any] = payload["data"]
    if kind == "write":
        result = data.get("registerRecruiter") or {}
        if result.get("userErrors") or not result.get("recruiter"):
            return None, f"userErrors {result.get('userErrors')}"
    return data, ""
