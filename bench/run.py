"""`make bench`: start real servers, load the dataset, run every scenario against N, D, S, F.

Options come from the command line or the environment (BENCH_SCALE, BENCH_SECONDS,
BENCH_ROUNDS); results go to bench/results/latest.json and latest.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.crowd_pages import WritePool, load_crowd
from bench.measure import check_identical, counted, load_rounds
from bench.report import machine, write_results
from bench.scenarios import jobs_page_body, read_scenarios
from bench.servers import (
    DB_NAME,
    VariantServer,
    admin_token,
    flush_memcached,
    load_dataset,
    peak_rss_mb,
    variant_servers,
)
from bench.tokens import Tokens
from crowdhire.dev.servers import MemcachedServer, MongodServer

RESULTS = Path(__file__).resolve().parent / "results"
CONCURRENCIES = [1, 8]
T0 = time.monotonic()


def say(message: str) -> None:
    """Progress on stdout, with the elapsed time."""
    print(f"bench [{time.monotonic() - T0:6.1f}s] {message}", flush=True)


def arguments() -> argparse.Namespace:
    """Command-line options, defaulting to the BENCH_* environment variables."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    env = os.environ.get
    parser.add_argument("--scale", type=float, default=float(env("BENCH_SCALE", "1")))
    parser.add_argument("--seconds", type=float, default=float(env("BENCH_SECONDS", "3")))
    parser.add_argument("--rounds", type=int, default=int(env("BENCH_ROUNDS", "3")))
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args()


def has_mutation(client: httpx.Client, server: VariantServer, name: str) -> bool:
    """Whether the schema served by `server` has a root mutation field `name`."""
    query = "{ __schema { mutationType { fields { name } } } }"
    body = client.post(f"{server.url}/graphql", json={"query": query}).json()
    mutation = (body.get("data") or {}).get("__schema", {}).get("mutationType") or {}
    return any(field["name"] == name for field in mutation.get("fields") or [])


def counts_section(
    client: httpx.Client, servers: dict[str, VariantServer], memcached: str, scenarios: Any
) -> dict[str, Any]:
    """Exact MongoDB commands and cache operations per request, S cold and warm."""

    def flush() -> None:
        flush_memcached(memcached)

    result: dict[str, Any] = {}
    for scenario in scenarios:
        distinct = list(dict.fromkeys(scenario.bodies))[:20]
        bodies = (distinct * 5)[: max(5, len(distinct))]
        row: dict[str, Any] = {}
        for name in ("N", "D", "F"):
            row[name] = counted(client, servers[name], bodies)
        row["S-cold"] = counted(client, servers["S"], bodies, before_each=flush)
        counted(client, servers["O"], bodies)  # fill the object cache
        row["O-warm"] = counted(client, servers["O"], bodies)
        counted(client, servers["S"], bodies)  # fill both caches
        row["S-warm"] = counted(client, servers["S"], bodies)
        result[scenario.name] = row
        say(
            f"counts {scenario.name}: "
            + ", ".join(f"{k} {v['mongo_commands']} cmd" for k, v in row.items())
        )
    return result


def page_growth(
    client: httpx.Client, servers: dict[str, VariantServer], memcached: str
) -> dict[str, Any]:
    """MongoDB commands of the jobs page at 5 and at 50 jobs."""
    growth: dict[str, Any] = {}
    for first in (5, 50):
        body = [jobs_page_body(first)]
        row = {name: counted(client, servers[name], body)["mongo_commands"] for name in "NDF"}
        cold = counted(client, servers["S"], body, before_each=lambda: flush_memcached(memcached))
        row["S-cold"] = cold["mongo_commands"]
        counted(client, servers["O"], body)
        row["O-warm"] = counted(client, servers["O"], body)["mongo_commands"]
        row["S-warm"] = counted(client, servers["S"], body)["mongo_commands"]
        growth[str(first)] = row
    say(f"jobs page commands, 5 vs 50 jobs: {growth}")
    return growth


def mutation_mix(
    client: httpx.Client, servers: dict[str, VariantServer], uri: str, data_dir: Path
) -> dict[str, Any]:
    """Company members move their submissions one legal stage on, through D and S.

    Each move is a different submission, sent as a member of its company (only the company
    moves its pipeline), so every request is a real write plus invalidation; every answer must
    carry a moved submission and empty `userErrors`, or the run stops.
    """
    crowd = load_crowd(uri, DB_NAME, recruiters=1, members=10, anonymous=0)
    moves = WritePool(uri, DB_NAME, crowd).moves(40)
    tokens = Tokens(data_dir)
    headers = [{"authorization": f"Bearer {tokens(sub)}"} for sub, _ in moves]

    def succeeded(answer: Any) -> None:
        payload = (answer.get("data") or {}).get("moveSubmission") or {}
        if answer.get("errors") or payload.get("userErrors") != [] or not payload.get("submission"):
            raise SystemExit(f"bench: moveSubmission failed: {answer}")

    bodies = [line for _, line in moves]
    half = len(moves) // 2
    row = {
        "D": counted(client, servers["D"], bodies[:half], headers=headers[:half], check=succeeded),
        "S": counted(client, servers["S"], bodies[half:], headers=headers[half:], check=succeeded),
    }
    return {"status": "ran", **row}


def main() -> None:
    """Run the whole benchmark and write the results."""
    args = arguments()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="crowdhire-bench-") as tmp:
        mongod, memcached = MongodServer(Path(tmp) / "mongo"), MemcachedServer(memory_mb=256)
        servers: list[VariantServer] = []
        try:
            say("starting mongod and memcached")
            uri, cache_address = mongod.start(), memcached.start()
            say(f"seeding demo data at scale {args.scale}")
            dataset, candidate_ids = load_dataset(uri, args.scale)
            say(f"dataset {dataset}")
            token = admin_token(Path(tmp) / "data")
            os.environ["BENCH_AUTHORIZATION"] = f"Bearer {token}"  # read by wrk_post.lua
            servers = variant_servers(uri, cache_address, Path(tmp) / "data")
            for server in servers:
                server.start()
            say("variants up: " + ", ".join(f"{s.name} :{s.port}" for s in servers))
            by_name = {server.name: server for server in servers}
            scenarios = read_scenarios(candidate_ids)
            auth = {"authorization": f"Bearer {token}"}
            with httpx.Client(timeout=300, headers=auth) as client:
                checked = check_identical(client, servers, scenarios)
                say(f"identical JSON from N, D, S, F: {checked}")
                counts = counts_section(client, by_name, cache_address, scenarios)
                growth = page_growth(client, by_name, cache_address)
                mutation = {"status": "not available: no mutations in the schema yet"}
                if has_mutation(client, by_name["S"], "moveSubmission"):
                    mutation = mutation_mix(client, by_name, uri, Path(tmp) / "data")
                say(f"mutation mix: {mutation['status']}")
            budget: float = args.seconds
            one = {(s, v): counts[s][v]["client_p50_ms"] for s in counts for v in "NDF"}

            def seconds(scenario: str, variant: str, concurrency: int) -> float:
                # enough time for a handful of slow (naive) requests, capped for the budget
                slow = float(one.get((scenario, variant), 0)) / 1000 * concurrency * 4
                return min(max(budget, slow), 6 * budget)

            say(f"load: wrk, {args.rounds} interleaved rounds, c={CONCURRENCIES}")
            load = load_rounds(servers, scenarios, CONCURRENCIES, seconds, args.rounds, say)
            s_cold_c1 = {s: counts[s]["S-cold"]["client_p50_ms"] for s in counts}
            rss = {server.name: round(peak_rss_mb(server.pid), 1) for server in servers}
        finally:
            for server in servers:
                server.stop()
            memcached.stop()
            mongod.stop()
    results = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "scale": args.scale,
        "dataset": dataset,
        "seconds_per_run": args.seconds,
        "rounds": args.rounds,
        "load_tool": "wrk 4 (-t min(c,2) -c c, Lua POST bodies)",
        "identical_json_checked": checked,
        "counts": counts,
        "jobs_page_growth": growth,
        "load": load,
        "s_cold_client_p50_ms": s_cold_c1,
        "peak_rss_mb": rss,
        "mutation_mix": mutation,
        "elapsed_s": round(time.monotonic() - T0, 1),
    }
    json_path, md_path = write_results(results, args.out)
    say(f"wrote {json_path} and {md_path}")
    print(md_path.read_text(), flush=True)


if __name__ == "__main__":
    main()
