"""The drills' results as Markdown (bench/results/drills.md and the README table)."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime

from crowdhire.dev.cluster.drills import DrillResult, Profile


def machine() -> str:
    """CPU model and count, Python version: the context every figure needs."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo
                         if line.startswith("model name"))  # fmt: skip
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(results: Sequence[DrillResult]) -> str:
    """One row per drill."""
    rows = ["| Drill | Requests | Failed | Recovery s | Pass criteria | Result |",
            "|---|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        verdict = "**PASS**" if r.passed else "**FAIL**"
        rows.append(f"| {r.name} | {r.requests} | {r.failures} | {r.recovery_seconds:.1f} | "
                    f"{r.criteria} | {verdict} |")  # fmt: skip
    return "\n".join(rows)


def markdown(
    results: Sequence[DrillResult], profile: Profile, budget: tuple[bool, str], seed_scale: float
) -> str:
    """The whole report."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    load = profile.load
    lines = [
        "# Failure drills (`make drills`)",
        "",
        f"Run {when} on {machine()}; profile `{profile.name}` (warm-up {profile.warmup:.0f} s, "
        f"window {profile.window:.0f} s, after {profile.after:.0f} s), load ≈ {load.rate:.0f} "
        f"req/s from {load.concurrency} workers through nginx, demo data scale {seed_scale}.",
        "Cluster: 3 mongod (rs0, electionTimeoutMillis 5000), 2 memcached behind nutcracker "
        "(ketama, auto-eject), 3 crowdhire instances, nginx (least_conn, passive failover).",
        "Requests count every HTTP attempt (a write retried with its clientMutationId counts "
        "each time); drill 4 counts collections compared. Recovery: drill 1 last failure after "
        "the kill, drill 2 hit ratio back to ≥ 90 % of before, drill 3 first acknowledged "
        "write after the kill, drill 4 time of `up`, drill 5 time of the restore at latest.",
        "",
        table(results),
        "",
        "Details:",
        "",
    ]
    for result in results:
        lines.append(f"- {result.name}: " + "; ".join(result.details))
    verdict = "shared" if budget[0] else "NOT shared"
    lines += ["", f"Cost budget across instances: {verdict} — {budget[1]}.", ""]
    return "\n".join(lines)
