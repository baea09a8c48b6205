"""Subscriptions in the cluster: a socket through nginx (wss, the upgrade proxied) hears writes
made through nginx on whichever instance serves them, and keeps hearing them, none lost and none
twice, across a stepDown of the MongoDB primary (its instance's change stream reopens)."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pymongo
from pymongo.errors import PyMongoError
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from crowdhire.auth.dev import mint_dev_token
from crowdhire.dev.cluster import mongo
from crowdhire.dev.cluster.control import Cluster
from crowdhire.dev.cluster.load import REGISTER
from crowdhire.dev.servers import HOST
from crowdhire.settings import Environment, Settings

REGISTERED = "subscription { events(types: [RECRUITER_REGISTERED]) { recruiter { id } } }"
WRITE_RETRY_SECONDS = 40.0
HEAR_SECONDS = 20.0


@dataclass
class SubscriptionDrill:
    """Recruiters registered through nginx, and those one subscriber heard, in order."""

    registered: list[str] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _token(cluster: Cluster, sub: str, permissions: list[str]) -> str:
    settings = Settings(crowdhire_env=Environment.DEV, data_dir=cluster.layout.app_data)
    return mint_dev_token(settings, sub, permissions)


@asynccontextmanager
async def _subscriber(cluster: Cluster) -> AsyncIterator[ClientConnection]:
    """An acknowledged admin socket through nginx, subscribed to recruiter registrations."""
    url = cluster.url.replace("https://", "wss://")
    context: ssl.SSLContext = cluster.verify
    protocol = Subprotocol("graphql-transport-ws")
    async with connect(url, ssl=context, subprotocols=[protocol], open_timeout=10) as ws:
        token = _token(cluster, "drill|subscriber", ["admin:all"])
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack through nginx: {ack}")
        subscribe = {"id": "drill", "type": "subscribe", "payload": {"query": REGISTERED}}
        await ws.send(json.dumps(subscribe))
        await asyncio.sleep(0.5)  # the subscription attaches to its instance's stream
        yield ws


async def _hear(ws: ClientConnection, count: int, within: float = HEAR_SECONDS) -> list[str]:
    """Up to `count` registered recruiter ids heard `within` seconds (pings answered)."""
    heard: list[str] = []
    deadline = time.monotonic() + within
    while len(heard) < count and time.monotonic() < deadline:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        except TimeoutError:
            break
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
        elif message["type"] == "next":
            heard.append(message["payload"]["data"]["events"]["recruiter"]["id"])
        else:
            raise RuntimeError(f"unexpected message: {message}")
    return heard


async def _register(https: httpx.AsyncClient, url: str, token: str) -> str:
    """registerRecruiter through nginx, retried (same token: idempotent) until it answers."""
    variables = {"input": {"displayName": "Drill", "email": "drill@example.test"}}
    deadline = time.monotonic() + WRITE_RETRY_SECONDS
    while True:
        try:
            response = await https.post(
                url,
                json={"query": REGISTER, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            payload: dict[str, Any] = response.json()
            recruiter = ((payload.get("data") or {}).get("registerRecruiter") or {}).get(
                "recruiter"
            )
            if recruiter:
                return str(recruiter["id"])
        except (httpx.HTTPError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("registerRecruiter never succeeded through nginx")
        await asyncio.sleep(0.25)


def _step_down(cluster: Cluster) -> str:
    """Ask the primary to step down (an election follows); which member it was."""
    index = mongo.primary_index(cluster.ports)
    if index is None:
        raise RuntimeError("no PRIMARY to step down")
    port = cluster.ports.mongod[index]
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        HOST, port, directConnection=True, serverSelectionTimeoutMS=2000
    )
    try:
        client.admin.command("replSetStepDown", 10, secondaryCatchUpPeriodSecs=5)
    except PyMongoError:
        pass  # the primary drops its connections as it steps down
    finally:
        client.close()
    return f"mongod{index + 1}"


async def run(cluster: Cluster, *, step_down: bool, writes: int = 3) -> SubscriptionDrill:
    """Register `writes` recruiters before (and, with `step_down`, after an election) while a
    subscriber listens through nginx; what it heard."""
    drill = SubscriptionDrill()
    run_id = uuid.uuid4().hex[:8]
    async with (
        _subscriber(cluster) as ws,
        httpx.AsyncClient(verify=cluster.verify, timeout=30) as https,
    ):
        for n in range(writes):
            token = _token(cluster, f"drill|ws-{run_id}-{n}", [])
            drill.registered.append(await _register(https, cluster.url, token))
        drill.heard += await _hear(ws, writes)
        if step_down:
            former = await asyncio.to_thread(_step_down, cluster)
            stepped = time.monotonic()
            for n in range(writes, 2 * writes):
                token = _token(cluster, f"drill|ws-{run_id}-{n}", [])
                drill.registered.append(await _register(https, cluster.url, token))
            drill.heard += await _hear(ws, writes)
            new = await asyncio.to_thread(mongo.primary_index, cluster.ports)
            drill.notes.append(
                f"{former} stepped down; new primary mongod{(new or 0) + 1}; writes resumed"
                f" after {time.monotonic() - stepped:.1f} s"
            )
        drill.heard += await _hear(ws, 1, within=1.0)  # anything more would be a repeat
    return drill
