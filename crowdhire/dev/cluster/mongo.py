"""The 3-member MongoDB replica set: start members, initiate once, report roles."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pymongo
from pymongo.errors import PyMongoError

from crowdhire.dev.cluster.layout import Layout, Ports
from crowdhire.dev.cluster.processes import Managed
from crowdhire.dev.servers import HOST, REPLICA_SET, find_mongod

# MongoDB's default is 10 s; 5 s keeps a failover inside the drill's 15 s budget on a busy
# 2-core machine (docs/deploy.md: Atlas keeps the default, expect ~12 s there).
ELECTION_TIMEOUT_MS = 5000
READY_TIMEOUT = 90.0


def members(layout: Layout, ports: Ports) -> list[Managed]:
    """The mongod processes, `mongod1`..`mongod3`."""
    return [Managed(layout, f"mongod{i + 1}", port) for i, port in enumerate(ports.mongod)]


def start(layout: Layout, ports: Ports, index: int) -> None:
    """Start one member (its data directory is kept across restarts)."""
    dbpath = layout.mongod_dbpath(index)
    dbpath.mkdir(parents=True, exist_ok=True)
    member = members(layout, ports)[index]
    member.spawn(
        [
            find_mongod(),
            *("--port", str(member.port), "--bind_ip", HOST, "--replSet", REPLICA_SET),
            *("--dbpath", str(dbpath), "--logpath", str(dbpath / "mongod.log"), "--logappend"),
            *("--setParameter", "diagnosticDataCollectionEnabled=false"),
            *("--wiredTigerCacheSizeGB", "0.25"),
        ]
    )


def _client(port: int, timeout_ms: int = 1000) -> pymongo.MongoClient[dict[str, Any]]:
    return pymongo.MongoClient(
        HOST, port, directConnection=True,
        serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms,
    )  # fmt: skip


def _wait(what: str, check: Any, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except PyMongoError as error:
            last = error
        time.sleep(0.2)
    raise RuntimeError(f"replica set: {what} did not happen within {timeout:.0f} s ({last})")


def initiate_and_wait(layout: Layout, ports: Ports) -> None:
    """Initiate the set once (all three members); wait for one PRIMARY and two SECONDARYs."""
    with _client(ports.mongod[0]) as client:
        _wait("mongod1 answering", lambda: bool(client.admin.command("ping")))
        if client.local["system.replset"].find_one() is None:
            config = {
                "_id": REPLICA_SET,
                "members": [
                    {"_id": i, "host": f"{HOST}:{port}"} for i, port in enumerate(ports.mongod)
                ],
                "settings": {"electionTimeoutMillis": ELECTION_TIMEOUT_MS},
            }
            client.admin.command("replSetInitiate", config)
    _wait("one PRIMARY and two SECONDARY members", lambda: _healthy(roles(ports)))


def _healthy(found: dict[int, str]) -> bool:
    states = sorted(found.values())
    return states == ["PRIMARY", "SECONDARY", "SECONDARY"]


def roles(ports: Ports) -> dict[int, str]:
    """Each member's state as it reports it (PRIMARY, SECONDARY, …, or DOWN)."""
    found: dict[int, str] = {}
    for port in ports.mongod:
        state = "DOWN"
        with contextlib.suppress(PyMongoError), _client(port, 500) as client:
            status = client.admin.command("replSetGetStatus")
            state = next(m["stateStr"] for m in status["members"] if m.get("self"))
        found[port] = state
    return found


def primary_index(ports: Ports) -> int | None:
    """Which member is PRIMARY right now."""
    found = roles(ports)
    return next((i for i, port in enumerate(ports.mongod) if found[port] == "PRIMARY"), None)
