"""Drill 5: point-in-time restore under live write load, across a kill -9 of the primary.

Write set A through the app; snapshot (`crowdhire backup create`); write set B; note T and the
database as it is then; write set C and kill -9 the primary in the middle of it; let the set
recover. A restore at T must equal the database at T byte for byte (so: A and B, none of C); a
restore at latest must hold every acknowledged write of A, B and C.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient

from crowdhire.backup.archive import Archive
from crowdhire.backup.plan import plan_restore
from crowdhire.backup.restore import restore
from crowdhire.backup.service import wait_archived
from crowdhire.backup.snapshot import RAW
from crowdhire.dev.cluster import backups, mongo, probes
from crowdhire.dev.cluster.control import Cluster
from crowdhire.dev.cluster.drills import DrillResult, Profile, _finish, _under_load

ARCHIVE_TIMEOUT = 60.0
AT_T, LATEST = "drill5_at_t", "drill5_latest"


def _dump(cluster: Cluster, database: str) -> dict[str, list[bytes]]:
    """Every non-empty collection as sorted BSON bytes (majority read)."""
    with probes.majority_client(cluster) as client:
        db: Any = client.get_database(database, codec_options=RAW)
        found = {n: sorted(bytes(d.raw) for d in db[n].find()) for n in db.list_collection_names()}
    return {name: docs for name, docs in found.items() if docs}


def _subs(cluster: Cluster, database: str) -> set[str]:
    with probes.majority_client(cluster) as client:
        return {doc["sub"] for doc in client[database]["recruiters"].find({}, {"sub": 1})}


async def _write_set(cluster: Cluster, profile: Profile, kill_primary: bool) -> dict[str, Any]:
    """One set of writes under load; with kill_primary, kill -9 it halfway."""
    driver, task = await _under_load(cluster, profile, write_ratio=0.5)
    killed = None
    if kill_primary:
        index = await asyncio.to_thread(mongo.primary_index, cluster.ports)
        if index is None:
            raise RuntimeError("drill 5: no PRIMARY to kill")
        killed = cluster.get(f"mongod{index + 1}")
        await asyncio.to_thread(killed.kill)
        await asyncio.sleep(profile.after)
    await asyncio.sleep(profile.window / 2)
    await _finish(driver, task)
    if killed is not None:
        await asyncio.to_thread(cluster.start_member, killed.name)
        await asyncio.to_thread(mongo.initiate_and_wait, cluster.layout, cluster.ports)
    failed = sum(not s.ok for s in driver.samples)
    return {"acknowledged": set(driver.acknowledged), "attempted": set(driver.attempted),
            "requests": len(driver.samples), "failed": failed}  # fmt: skip


def _snapshot(cluster: Cluster) -> None:
    command = [sys.executable, "-m", "crowdhire.cli", "backup", "create",
               "--to", str(backups.directory(cluster.layout))]  # fmt: skip
    env = backups.environment(cluster.layout, cluster.ports)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"drill 5: backup create failed: {done.stderr[-2000:]}")


async def point_in_time_restore(cluster: Cluster, profile: Profile) -> DrillResult:
    """Drill 5 (see the module docstring)."""
    archive = Archive(backups.directory(cluster.layout))
    uri = cluster.layout.mongodb_uri(cluster.ports)
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri, tz_aware=True,
                                                     serverSelectionTimeoutMS=30_000)  # fmt: skip
    try:
        a = await _write_set(cluster, profile, kill_primary=False)
        await asyncio.to_thread(_snapshot, cluster)
        b = await _write_set(cluster, profile, kill_primary=False)
        if not await wait_archived(client, archive, ARCHIVE_TIMEOUT):
            raise RuntimeError("drill 5: the follower did not archive set B")
        at = datetime.now(UTC)
        at_t = await asyncio.to_thread(_dump, cluster, probes.DATABASE)
        await asyncio.sleep(0.05)
        c = await _write_set(cluster, profile, kill_primary=True)
        archived = await wait_archived(client, archive, ARCHIVE_TIMEOUT)
        live = await asyncio.to_thread(_dump, cluster, probes.DATABASE)
        figures: dict[str, float] = {}
        for name, when in ((AT_T, at), (LATEST, None)):
            await client.drop_database(name)
            plan = plan_restore(archive, when, None, datetime.now(UTC))
            started = time.monotonic()
            done = await restore(client, plan, name, None, probes.DATABASE)
            figures[f"{name}_seconds"] = time.monotonic() - started
            figures[f"{name}_per_10k"] = done.seconds_per_10k
            figures[f"{name}_documents"] = done.documents + done.operations
        restored_t = await asyncio.to_thread(_dump, cluster, AT_T)
        restored_latest = await asyncio.to_thread(_dump, cluster, LATEST)
        subs_t, subs_latest = _subs(cluster, AT_T), _subs(cluster, LATEST)
    finally:
        for name in (AT_T, LATEST):
            await client.drop_database(name)
        await client.close()
    return _judge(a, b, c, archived, at_t, restored_t, live, restored_latest, subs_t,
                  subs_latest, figures)  # fmt: skip


def _judge(
    a: dict[str, Any], b: dict[str, Any], c: dict[str, Any], archived: bool,
    at_t: dict[str, list[bytes]], restored_t: dict[str, list[bytes]],
    live: dict[str, list[bytes]], restored_latest: dict[str, list[bytes]],
    subs_t: set[str], subs_latest: set[str], figures: dict[str, float],
) -> DrillResult:  # fmt: skip
    equal_t = restored_t == at_t
    ab = a["acknowledged"] | b["acknowledged"]
    missing_t = len(ab - subs_t)
    c_in_t = len(c["attempted"] & subs_t)
    missing_latest = len((ab | c["acknowledged"]) - subs_latest)
    equal_live = restored_latest == live
    documents_t = sum(len(docs) for docs in at_t.values())
    passed = (equal_t and not missing_t and not c_in_t and not missing_latest and archived
              and len(c["acknowledged"]) > 0)  # fmt: skip
    figures |= {"equal_at_t": float(equal_t), "missing_at_t": missing_t, "c_in_t": c_in_t,
                "missing_latest": missing_latest, "equal_live": float(equal_live),
                "acknowledged_c": len(c["acknowledged"]),
                "documents_at_t": documents_t}  # fmt: skip
    return DrillResult(
        "5. point-in-time restore (kill -9 the primary during set C)",
        a["requests"] + b["requests"] + c["requests"], a["failed"] + b["failed"] + c["failed"],
        figures[f"{LATEST}_seconds"], passed,
        "restore at T byte-equal to the database at T (A+B, no C); restore at latest has every "
        "acknowledged write",
        [f"writes acknowledged A {len(a['acknowledged'])}, B {len(b['acknowledged'])}, "
         f"C {len(c['acknowledged'])}",
         f"at T: {documents_t} documents {'byte-equal' if equal_t else 'DIFFERENT'}, "
         f"{missing_t} of A+B missing, {c_in_t} of C present",
         f"latest: {missing_latest} acknowledged writes missing, "
         f"{'identical to' if equal_live else 'differs from'} the live database",
         f"restore {figures[f'{AT_T}_seconds']:.1f} s at T, {figures[f'{LATEST}_seconds']:.1f} s "
         f"at latest ({figures[f'{LATEST}_per_10k']:.2f} s per 10,000 documents)"],
        figures=figures,
    )  # fmt: skip
