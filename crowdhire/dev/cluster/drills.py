"""The four failure drills: kill a part of the running cluster under load and judge the result."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from crowdhire.dev.cluster import memcache, mongo, probes
from crowdhire.dev.cluster.control import Cluster
from crowdhire.dev.cluster.load import LoadConfig, LoadDriver, Sample

WRITE_RESUME_LIMIT = 15.0


@dataclass(frozen=True)
class Profile:
    """How long each phase lasts (`short` for the test suite, `full` for `make drills`)."""

    name: str
    warmup: float
    window: float
    after: float
    load: LoadConfig


SHORT = Profile("short", warmup=3.0, window=5.0, after=8.0, load=LoadConfig(rate=20.0))
FULL = Profile("full", warmup=8.0, window=15.0, after=15.0, load=LoadConfig(rate=30.0))


@dataclass
class DrillResult:
    """One drill's figures and verdict."""

    name: str
    requests: int
    failures: int
    recovery_seconds: float
    passed: bool
    criteria: str
    details: list[str] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        """The one-line summary a drill prints."""
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"{verdict} {self.name}: {self.requests} requests, {self.failures} failed, "
            f"recovery {self.recovery_seconds:.1f} s — " + "; ".join(self.details)
        )


def _in(samples: Sequence[Sample], start: float, end: float = float("inf")) -> list[Sample]:
    return [s for s in samples if start <= s.start < end]


def _failed(samples: Sequence[Sample]) -> int:
    return sum(not s.ok for s in samples)


async def _under_load(
    cluster: Cluster, profile: Profile, write_ratio: float | None = None
) -> tuple[LoadDriver, asyncio.Task[None]]:
    config = profile.load
    if write_ratio is not None:
        config = LoadConfig(**{**config.__dict__, "write_ratio": write_ratio})
    driver = LoadDriver(cluster.url, str(cluster.layout.app_data), config, cluster.verify)
    task = asyncio.create_task(driver.run())
    while not driver.samples and not task.done():  # noqa: ASYNC110 - polls the driver's samples
        await asyncio.sleep(0.05)
    await asyncio.sleep(profile.warmup)
    return driver, task


async def _finish(driver: LoadDriver, task: asyncio.Task[None]) -> None:
    driver.stop()
    await task


async def app_instance(cluster: Cluster, profile: Profile) -> DrillResult:
    """Drill 1: SIGKILL app2; < 1 % failures while it is gone, 0 after; it rejoins on restart."""
    victim = cluster.get("app2")
    driver, task = await _under_load(cluster, profile)
    killed = time.monotonic()
    await asyncio.to_thread(victim.kill)
    await asyncio.sleep(profile.window)
    await asyncio.to_thread(cluster.start_member, "app2")
    restarted = time.monotonic()
    await asyncio.sleep(profile.after)
    await _finish(driver, task)
    during, after = _in(driver.samples, killed, restarted), _in(driver.samples, restarted)
    rejoined = sum(s.upstream.endswith(f":{victim.port}") for s in after)
    failures = [s for s in driver.samples if not s.ok]
    recovery = max((s.end - killed for s in failures), default=0.0)
    rate = _failed(during) / max(1, len(during))
    passed = rate < 0.01 and _failed(after) == 0 and rejoined > 0
    return DrillResult(
        "1. kill one app instance (SIGKILL app2)", len(driver.samples), len(failures), recovery,
        passed, "failures < 1 % while down, 0 after restart; app2 serves again",
        [f"while down {_failed(during)}/{len(during)} failed ({rate:.2%})",
         f"after restart {_failed(after)}/{len(after)} failed",
         f"app2 served {rejoined} requests after its restart"],
        driver.acknowledged,
        {"during": len(during), "failed_during": _failed(during), "after": len(after),
         "failed_after": _failed(after), "rejoined": rejoined},
    )  # fmt: skip


async def memcached_node(cluster: Cluster, profile: Profile) -> DrillResult:
    """Drill 2: SIGKILL memcached1; 0 failed requests; the hit ratio recovers on memcached2."""
    victim, survivor = cluster.get("memcached1"), cluster.get("memcached2")
    driver, task = await _under_load(cluster, profile, write_ratio=0.05)
    ratios: list[tuple[float, float]] = []  # (time, hit ratio over the last second)
    last = await asyncio.to_thread(probes.cache_lookups, cluster)
    before_stats = memcache.stats(survivor.port)

    async def sample_ratio() -> None:
        nonlocal last
        now = await asyncio.to_thread(probes.cache_lookups, cluster)
        hits, misses = now[0] - last[0], now[1] - last[1]
        last = now
        if hits + misses:
            ratios.append((time.monotonic(), hits / (hits + misses)))

    for _ in range(int(profile.warmup)):
        await asyncio.sleep(1.0)
        await sample_ratio()
    killed = time.monotonic()
    await asyncio.to_thread(victim.kill)
    end = killed + profile.window + profile.after
    while time.monotonic() < end:
        await asyncio.sleep(1.0)
        await sample_ratio()
    await _finish(driver, task)
    after_stats = memcache.stats(survivor.port)
    await asyncio.to_thread(cluster.start_member, "memcached1")
    baseline = _mean([r for t, r in ratios if t <= killed])
    later = [(t, r) for t, r in ratios if t > killed]
    lowest = min((r for _, r in later), default=0.0)
    recovered_at = _recovered(later, baseline)
    recovery = recovered_at - killed if recovered_at is not None else float("nan")
    survivor_hits = after_stats.get("get_hits", 0) - before_stats.get("get_hits", 0)
    failures = _failed(driver.samples)
    # The level it settled at: the median from recovery on. One-second samples are noisy (only
    # response-cache misses reach the object cache, a few dozen lookups a second), so a single
    # low second on a busy machine is noise, not a fault.
    since = [r for t, r in later if recovered_at is not None and t >= recovered_at]
    settled = statistics.median(since) if since else 0.0
    return DrillResult(
        "2. kill one memcached (SIGKILL memcached1)", len(driver.samples), failures,
        recovery, failures == 0 and recovered_at is not None,
        "0 failed requests; hit ratio back to ≥ 80 % of before, on memcached2",
        [f"hit ratio before {baseline:.0%}, lowest {lowest:.0%}, "
         f"median since recovery {settled:.0%} (app /metrics, per second)",
         f"memcached2 served {survivor_hits} get hits meanwhile",
         "per second after the kill: " + " ".join(f"{r:.0%}" for _, r in later)],
        driver.acknowledged,
        {"baseline": baseline, "last": settled,
         "recovered": float(recovered_at is not None), "survivor_hits": survivor_hits},
    )  # fmt: skip


RECOVERED_SHARE = 0.8
"""A hit ratio this share of the one before the kill counts as recovered."""


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _recovered(later: Sequence[tuple[float, float]], baseline: float) -> float | None:
    """When the ratio is back near the baseline for two seconds running."""
    for (_, first), (t, second) in itertools.pairwise(later):
        if min(first, second) >= RECOVERED_SHARE * baseline:
            return t
    return None


async def mongodb_primary(cluster: Cluster, profile: Profile) -> DrillResult:
    """Drill 3: kill -9 the primary; writes resume within 15 s, none lost, none duplicated."""
    driver, task = await _under_load(cluster, profile, write_ratio=0.3)
    index = await asyncio.to_thread(mongo.primary_index, cluster.ports)
    if index is None:
        raise RuntimeError("drill 3: no PRIMARY to kill")
    victim = cluster.get(f"mongod{index + 1}")
    killed = time.monotonic()
    await asyncio.to_thread(victim.kill)
    give_up = killed + max(profile.window, WRITE_RESUME_LIMIT + 3)
    while time.monotonic() < give_up and not any(  # noqa: ASYNC110 - polls the samples
        s.kind == "write" and s.ok for s in _in(driver.samples, killed)
    ):
        await asyncio.sleep(0.25)
    await asyncio.sleep(min(profile.after, max(0.0, give_up - time.monotonic())))
    await _finish(driver, task)  # every write is acknowledged or given up before we look
    resumed = min((s.end for s in _in(driver.samples, killed) if s.kind == "write" and s.ok),
                  default=float("inf"))  # fmt: skip
    await asyncio.to_thread(cluster.start_member, victim.name)
    await asyncio.to_thread(mongo.initiate_and_wait, cluster.layout, cluster.ports)
    counts = await asyncio.to_thread(probes.recruiter_counts, cluster, f"drill|{driver.run_id}-")
    lost = [sub for sub in driver.acknowledged if counts.get(sub, 0) == 0]
    duplicated = [sub for sub, n in counts.items() if n > 1]
    reads = [s for s in driver.samples if s.kind == "read"]
    reads_during = _in(reads, killed, resumed)
    reads_after = _in(reads, resumed)
    resume_seconds = resumed - killed
    passed = (resume_seconds <= WRITE_RESUME_LIMIT and not lost and not duplicated
              and _failed(reads_after) == 0)  # fmt: skip
    unacked = len(counts) - len(driver.acknowledged)
    return DrillResult(
        f"3. kill -9 the MongoDB primary (mongod{index + 1})", len(driver.samples),
        _failed(driver.samples), resume_seconds, passed,
        "writes resume ≤ 15 s; acknowledged writes all present once; reads fine after",
        [f"{len(driver.acknowledged)} writes acknowledged, {len(lost)} lost, "
         f"{len(duplicated)} duplicated ({unacked} committed without an answer seen)",
         f"reads during the election {_failed(reads_during)}/{len(reads_during)} failed, "
         f"after {_failed(reads_after)}/{len(reads_after)}",
         f"new primary mongod{(mongo.primary_index(cluster.ports) or 0) + 1}, "
         f"mongod{index + 1} rejoined as {mongo.roles(cluster.ports)[victim.port]}"],
        driver.acknowledged,
        {"acknowledged": len(driver.acknowledged), "lost": len(lost),
         "duplicated": len(duplicated), "failed_reads_after": _failed(reads_after)},
    )  # fmt: skip


async def restart_all(
    cluster: Cluster, acknowledged: dict[str, str], restart: Callable[[], None] | None = None
) -> DrillResult:
    """Drill 4: stop everything, start again; every document and acknowledged write is intact."""
    before = await asyncio.to_thread(probes.snapshot, cluster)
    await asyncio.to_thread(cluster.down)
    left = [row.name for row in await asyncio.to_thread(cluster.status) if row.alive]
    started = time.monotonic()
    await asyncio.to_thread(restart or (lambda: cluster.up(seed_scale=0)))
    took = time.monotonic() - started
    after = await asyncio.to_thread(probes.snapshot, cluster)
    counts = await asyncio.to_thread(probes.recruiter_counts, cluster)
    missing = [sub for sub in acknowledged if counts.get(sub) != 1]
    changed = sorted(name for name in before.keys() | after.keys()
                     if before.get(name) != after.get(name))  # fmt: skip
    documents = sum(count for count, _ in after.values())
    passed = not left and not changed and not missing
    return DrillResult(
        "4. stop everything, start again", len(before), len(changed) + len(missing), took,
        passed, "every collection identical; every acknowledged write present once",
        [f"{len(before)} collections, {documents} documents compared (count + SHA-256)",
         f"{len(acknowledged) - len(missing)}/{len(acknowledged)} acknowledged drill writes "
         f"present once", f"still running after down: {left or 'nothing'}"],
        figures={"changed": len(changed), "missing": len(missing), "left": len(left),
                 "collections": len(before), "documents": documents},
    )  # fmt: skip


async def run_all(cluster: Cluster, profile: Profile) -> list[DrillResult]:
    """All four drills in order, each printing its line as it ends."""
    results: list[DrillResult] = []
    acknowledged: dict[str, str] = {}
    for drill in (app_instance, memcached_node, mongodb_primary):
        result = await drill(cluster, profile)
        print(result.line(), flush=True)
        acknowledged |= result.acknowledged
        results.append(result)
    result = await restart_all(cluster, acknowledged)
    print(result.line(), flush=True)
    results.append(result)
    return results
