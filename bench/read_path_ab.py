"""`make bench-read-path`: server CPU per request of D, its variants and F, one at a time.

The load benchmark's wrk cells on a 2-core machine (wrk, mongod and the server share them) move
by ±30 % between runs, which hides a 15 % change. Here D (uncached), D with one read-path
optimization off each, G (all of them off) and F (the hand-written floor) run as their own
uvicorn processes against the same data. Each scenario's bodies are sent one at a time, in
alternating blocks per variant; reported are the server's own CPU time per request (utime +
stime from /proc, so neither the client nor mongod counts) and the median wall time. Every
answer must be free of errors, and every variant's `data` must equal F's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.measure import first_difference, post
from bench.scenarios import read_scenarios
from bench.servers import (
    BEFORE_READ_PATH_WORK,
    VariantServer,
    admin_token,
    load_dataset,
    variant_servers,
)
from crowdhire.dev.servers import MemcachedServer, MongodServer

SWITCHES = {f"D {key}={value}": {key: value} for key, value in BEFORE_READ_PATH_WORK.items()}
"""D with one optimization off each: what that one is worth, measured beside the others."""
VARIANTS = ("D", *SWITCHES, "G", "F")
BLOCK = 5
"""Requests per variant before the next variant's turn (alternating keeps drift out)."""


def arguments() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.read_path_ab", description=__doc__)
    parser.add_argument("--requests", type=int, default=60, help="per scenario and variant")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path("bench/results/read_path.json"))
    return parser.parse_args()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def checked_data(client: httpx.Client, server: VariantServer, body: bytes) -> Any:
    """The `data` of one answer, failing the run on any error."""
    answer = post(client, server, body)
    if answer.get("errors") or not answer.get("data"):
        raise SystemExit(f"read_path_ab: errors from {server.name}: {str(answer)[:400]}")
    return answer["data"]


def probe(client: httpx.Client, server: VariantServer, bodies: list[bytes]) -> float:
    """How many times shorter than 100 ms one request of these bodies takes (at least 1)."""
    began = time.perf_counter()
    for body in bodies[:5]:
        checked_data(client, server, body)
    return max(1.0, 0.1 / ((time.perf_counter() - began) / min(5, len(bodies))))


def measure(
    client: httpx.Client, servers: dict[str, VariantServer], bodies: list[bytes], n: int
) -> dict[str, dict[str, float]]:
    """Alternating blocks of sequential requests; CPU ms per request and wall p50 per variant."""
    for body in list(dict.fromkeys(bodies))[:10]:  # the same answers first
        reference = checked_data(client, servers["F"], body)
        for name in VARIANTS[:-1]:
            where = first_difference(reference, checked_data(client, servers[name], body))
            if where is not None:
                raise SystemExit(f"read_path_ab: {name} differs from F at {where}")
    walls: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpu = dict.fromkeys(VARIANTS, 0.0)
    for start in range(0, n, BLOCK):
        for name in VARIANTS:
            server = servers[name]
            before = cpu_seconds(server.pid)
            for index in range(start, min(start + BLOCK, n)):
                began = time.perf_counter()
                checked_data(client, server, bodies[index % len(bodies)])
                walls[name].append((time.perf_counter() - began) * 1000)
            cpu[name] += cpu_seconds(server.pid) - before
    return {
        name: {
            "cpu_ms_per_request": round(cpu[name] * 1000 / n, 2),
            "wall_p50_ms": round(statistics.median(walls[name]), 2),
        }
        for name in VARIANTS
    }


def main() -> None:
    """Start the servers and the variants, load the data, measure each scenario."""
    args = arguments()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="crowdhire-ab-") as tmp:
        data_dir = Path(tmp) / "data"
        with MongodServer(Path(tmp) / "db") as mongod, MemcachedServer() as memcached:
            _, candidate_ids = load_dataset(mongod.uri, args.scale)
            every = variant_servers(mongod.uri, memcached.address, data_dir)
            servers = {server.name: server for server in every if server.name in VARIANTS}
            for name, switch in SWITCHES.items():
                servers[name] = VariantServer(name, {**servers["D"].env, **switch})
            auth = {"authorization": f"Bearer {admin_token(data_dir)}"}  # before the servers
            try:
                for server in servers.values():
                    server.start()
                with httpx.Client(timeout=120, headers=auth) as client:
                    for scenario in read_scenarios(candidate_ids):
                        # small requests need more of them: CPU time is counted in 10 ms ticks
                        n = max(
                            args.requests,
                            round(args.requests * probe(client, servers["D"], scenario.bodies)),
                        )
                        cells = measure(client, servers, scenario.bodies, n)
                        results[scenario.name] = cells
                        print(line(scenario.name, cells), flush=True)
            finally:
                for server in servers.values():
                    server.stop()
    args.out.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2) + b"\n")


def line(scenario: str, cells: dict[str, dict[str, float]]) -> str:
    """One scenario's CPU per request, and each variant's ratio to the floor."""
    cpu = {name: cells[name]["cpu_ms_per_request"] for name in VARIANTS}
    return f"{scenario:12}" + "".join(
        f" | {name} {cpu[name]:.1f} ms ({cpu[name] / cpu['F']:.1f}x F)" for name in VARIANTS
    )


if __name__ == "__main__":
    main()
