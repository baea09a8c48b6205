"""`make bench-crowd`: many identities reading their own pages while a share of them write.

Starts mongod and memcached, seeds the demo data, starts D, O, S and F, checks that every
variant answers every crowd page with identical `data` (F by hand, under the same visibility
rules), then runs wrk with `bench/wrk_crowd.lua` at write shares 0 %, 2 % and 10 % and c = 1, 8,
32. Every answer is checked (HTTP 200, no `errors`, empty `userErrors`); one failure fails the
run. F writes by hand too (bench/floor_writes.py), so every mix compares like with like.
Results go into bench/results/latest.json under "crowd" and into bench/results/crowd.md.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.crowd_pages import Crowd, Line, WritePool, lines_file_text, load_crowd
from bench.crowd_report import crowd_markdown
from bench.load import find_wrk
from bench.measure import first_difference
from bench.report import machine
from bench.servers import DB_NAME, VariantServer, load_dataset, peak_rss_mb, variant_servers
from bench.tokens import Tokens
from crowdhire.dev.servers import MemcachedServer, MongodServer

RESULTS = Path(__file__).resolve().parent / "results"
SCRIPT = Path(__file__).with_name("wrk_crowd.lua")
MIXES = [0, 20, 100]  # writes per 1,000 requests
CONCURRENCIES = [1, 8, 32]
T0 = time.monotonic()
_HIT = re.compile(r'^crowdhire_response_cache_total\{result="(hit|miss)"\} ([0-9.e+]+)$', re.M)


def say(message: str) -> None:
    """Progress on stdout, with the elapsed time."""
    print(f"crowd [{time.monotonic() - T0:6.1f}s] {message}", flush=True)


def ask(client: httpx.Client, server: VariantServer, line: Line, tokens: Tokens) -> Any:
    """One request as its subject; the parsed body."""
    sub, payload = line
    headers = {"content-type": "application/json"}
    if sub:
        headers["authorization"] = f"Bearer {tokens(sub)}"
    response = client.post(f"{server.url}/graphql", content=payload, headers=headers)
    response.raise_for_status()
    return orjson.loads(response.content)


def check_identical(
    client: httpx.Client, servers: list[VariantServer], crowd: Crowd, tokens: Tokens
) -> int:
    """Every crowd page: no errors anywhere, the same `data` from every variant."""
    distinct = list(dict.fromkeys(crowd.reads()))
    for line in distinct:
        answers = {server.name: ask(client, server, line, tokens) for server in servers}
        for name, answer in answers.items():
            if answer.get("errors") or not answer.get("data"):
                raise SystemExit(f"crowd: errors from {name} for {line[1][:120]!r}: {answer}")
        reference = answers[servers[0].name]["data"]
        for name, answer in answers.items():
            where = first_difference(reference, answer["data"])
            if where is not None:
                raise SystemExit(f"crowd: {name} differs from {servers[0].name} at {where}")
    return len(distinct)


def response_cache_counts(server: VariantServer) -> dict[str, float]:
    """The server's response-cache hits and misses so far (its /metrics)."""
    text = httpx.get(f"{server.url}/metrics", timeout=30).text
    return {outcome: float(value) for outcome, value in _HIT.findall(text)}


def run_mix(
    server: VariantServer,
    reads: Path,
    writes: list[Line],
    per_mille: int,
    concurrency: int,
    seconds: float,
    tokens: Tokens,
) -> dict[str, Any]:
    """One wrk run of the crowd mix; SystemExit when any answer failed."""
    threads = min(concurrency, 2)
    with tempfile.NamedTemporaryFile("wb", suffix=".tsv", delete=False) as handle:
        handle.write(lines_file_text(writes, tokens) if writes else b"\n")
    before = response_cache_counts(server) if server.name == "S" else {}
    argv = [
        find_wrk(),
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "-s",
        str(SCRIPT),
        f"{server.url}/graphql",
        "--",
        str(reads),
        handle.name,
        str(per_mille),
        str(threads),
    ]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, check=True, timeout=seconds + 120
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
    server.wait_idle()
    line = next((r for r in done.stdout.splitlines() if r.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"crowd: wrk printed no result:\n{done.stdout}\n{done.stderr}")
    raw = orjson.loads(line.removeprefix("BENCHJSON "))
    if raw["failures"] or raw["errors"] or raw["non2xx"] or raw["exhausted"]:
        first = next((r for r in done.stdout.splitlines() if r.startswith("FIRSTFAILURE")), "")
        raise SystemExit(
            f"crowd: {server.name} c={concurrency} mix {per_mille}‰ failed: {raw} {first}"
        )
    duration = raw["duration_us"] / 1e6
    result: dict[str, Any] = {
        "requests": raw["requests"],
        "seconds": round(duration, 2),
        "reads_per_s": round((raw["requests"] - raw["writes"]) / duration, 1),
        "writes_per_s": round(raw["writes"] / duration, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "hit_share": None,
    }
    if before:
        after = response_cache_counts(server)
        hits = after.get("hit", 0) - before.get("hit", 0)
        lookups = hits + after.get("miss", 0) - before.get("miss", 0)
        result["hit_share"] = round(hits / lookups, 3) if lookups else None
    return result


def run_all(
    servers: dict[str, VariantServer],
    reads: Path,
    pool: WritePool,
    tokens: Tokens,
    seconds: float,
    concurrencies: list[int],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Every mix at every concurrency for D, O, S (and F at 0 %), one cell after another."""
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for per_mille in MIXES:
        for concurrency in concurrencies:
            span = seconds * (2 if concurrency >= 32 else 1)  # enough answers for a p99
            for name in ("D", "O", "S", "F"):
                # writes enough for twice the fastest rate this server had here so far: F ran
                # faster at 10 % writes than at 0 % once and ran out (which fails the run)
                here = f"{name}@{concurrency}"
                rates = [mix[here]["reads_per_s"] for mix in table.values() if here in mix]
                ceiling = max(rates, default=400) * span * per_mille / 1000
                writes = pool.take(math.ceil(ceiling * 2) + 20) if per_mille else []
                server = servers[name]
                cell = run_mix(server, reads, writes, per_mille, concurrency, span, tokens)
                table.setdefault(str(per_mille), {})[f"{name}@{concurrency}"] = cell
                say(f"mix {per_mille / 10:g} % c={concurrency} {name}: {cell}")
    return table


def arguments() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.crowd", description=__doc__)
    env = os.environ.get
    parser.add_argument("--scale", type=float, default=float(env("BENCH_SCALE", "1")))
    parser.add_argument("--seconds", type=float, default=float(env("BENCH_SECONDS", "3")))
    parser.add_argument("--out", type=Path, default=RESULTS)
    # A short profile (e.g. `--concurrency 8`) keeps a run within a couple of minutes.
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[
            int(c) for c in env("BENCH_CONCURRENCY", ",".join(map(str, CONCURRENCIES))).split(",")
        ],
        help="comma-separated client counts (default 1,8,32)",
    )
    return parser.parse_args()


def main() -> None:
    """Run the crowd benchmark and write its results."""
    args = arguments()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="crowdhire-crowd-") as tmp:
        mongod, memcached = MongodServer(Path(tmp) / "mongo"), MemcachedServer(memory_mb=256)
        servers: list[VariantServer] = []
        try:
            uri, cache_address = mongod.start(), memcached.start()
            say(f"seeding demo data at scale {args.scale}")
            dataset, _ = load_dataset(uri, args.scale)
            data_dir = Path(tmp) / "data"
            tokens = Tokens(data_dir)
            crowd = load_crowd(uri, DB_NAME, recruiters=40, members=10, anonymous=10)
            pool = WritePool(uri, DB_NAME, crowd)
            servers = [s for s in variant_servers(uri, cache_address, data_dir) if s.name != "N"]
            for server in servers:
                server.start()
            by_name = {server.name: server for server in servers}
            with httpx.Client(timeout=120) as client:
                checked = check_identical(client, servers, crowd, tokens)
            say(f"identical data from D, O, S, F for {checked} distinct pages")
            reads = Path(tmp) / "reads.tsv"
            reads.write_bytes(lines_file_text(crowd.reads(), tokens))
            table = run_all(by_name, reads, pool, tokens, args.seconds, args.concurrency)
            rss = {server.name: round(peak_rss_mb(server.pid), 1) for server in servers}
        finally:
            for server in servers:
                server.stop()
            memcached.stop()
            mongod.stop()
    crowd_results = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "scale": args.scale,
        "dataset": dataset,
        "seconds_per_run": args.seconds,
        "identities": {"recruiters": 40, "company_members": 10, "anonymous_lines": 10},
        "identical_pages_checked": checked,
        "mixes_per_mille": MIXES,
        "concurrencies": args.concurrency,
        "load": table,
        "peak_rss_mb": rss,
        "elapsed_s": round(time.monotonic() - T0, 1),
    }
    latest = args.out / "latest.json"
    results = orjson.loads(latest.read_bytes()) if latest.exists() else {}
    results["crowd"] = crowd_results
    latest.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2) + b"\n")
    markdown = crowd_markdown(crowd_results)
    (args.out / "crowd.md").write_text(markdown)
    say(f"wrote {latest} and {args.out / 'crowd.md'}")
    print(markdown, flush=True)


if __name__ == "__main__":
    main()
