"""`make bench-read-path`: server CPU per request of D, G and F, one request at a time.

The load benchmark's wrk cells on a 2-core machine (wrk, mongod and the server share them) move
by ±30 % between runs, which hides a 15 % change. Here D (uncached), G (D with the read-path
optimizations off) and F (the hand-written floor) run as their own uvicorn processes against
the same data; each scenario's bodies are sent one at a time, in alternating blocks per
variant, and what is reported is the server's own CPU time per request (utime + stime from
/proc, so neither the client nor mongod counts) and the median wall time. Every answer must be
free of errors, and D's and G's `data` must equal F's.
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
from bench.servers import VariantServer, admin_token, load_dataset, variant_servers
from crowdhire.dev.servers import MemcachedServer, MongodServer

VARIANTS = ("D", "G", "F")
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


def measure(
    client: httpx.Client, servers: dict[str, VariantServer], bodies: list[bytes], n: int
) -> dict[str, dict[str, float]]:
    """Alternating blocks of sequential requests; CPU ms per request and wall p50 per variant."""
    for body in list(dict.fromkeys(bodies))[:10]:  # the same answers first
        reference = checked_data(client, servers["F"], body)
        for name in ("D", "G"):
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
            auth = {"authorization": f"Bearer {admin_token(data_dir)}"}  # before the servers
            try:
                for server in servers.values():
                    server.start()
                with httpx.Client(timeout=120, headers=auth) as client:
                    for scenario in read_scenarios(candidate_ids):
                        cells = measure(client, servers, scenario.bodies, args.requests)
                        results[scenario.name] = cells
                        print(line(scenario.name, cells), flush=True)
            finally:
                for server in servers.values():
                    server.stop()
    args.out.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2) + b"\n")


def line(scenario: str, cells: dict[str, dict[str, float]]) -> str:
    """One scenario's figures and ratios."""
    cpu = {name: cells[name]["cpu_ms_per_request"] for name in VARIANTS}
    return (
        f"{scenario:12} CPU ms/request D {cpu['D']:.2f}  G {cpu['G']:.2f}  F {cpu['F']:.2f}"
        f" | D/F {cpu['D'] / cpu['F']:.2f}x  G/F {cpu['G'] / cpu['F']:.2f}x"
        f"  G/D {cpu['G'] / cpu['D']:.2f}x"
    )


if __name__ == "__main__":
    main()
