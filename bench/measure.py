"""Measurements against running variants: identical JSON, exact counts, latency under load."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from bench.load import LoadResult, bodies_file, run_wrk
from bench.scenarios import Scenario
from bench.servers import VariantServer


def post(
    client: httpx.Client,
    server: VariantServer,
    payload: bytes,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST one body and return the parsed JSON (status must be 200)."""
    response = client.post(
        f"{server.url}/graphql",
        content=payload,
        headers={"content-type": "application/json", **(headers or {})},
    )
    response.raise_for_status()
    return orjson.loads(response.content)


def check_identical(
    client: httpx.Client, servers: list[VariantServer], scenarios: list[Scenario]
) -> dict[str, int]:
    """Every variant returns the same JSON, without errors, for sample bodies of each scenario."""
    checked: dict[str, int] = {}
    for scenario in scenarios:
        samples = list(dict.fromkeys(scenario.bodies))[:10]
        for payload in samples:
            answers = {server.name: post(client, server, payload) for server in servers}
            for name, answer in answers.items():
                if answer.get("errors") or not answer.get("data"):
                    raise SystemExit(f"bench: {scenario.name}: errors from {name}: {answer}")
            reference = answers[servers[0].name]["data"]
            for name, answer in answers.items():
                # top-level `extensions` (e.g. a cost report) are metadata, not the answer
                where = first_difference(reference, answer["data"])
                if where is not None:
                    raise SystemExit(
                        f"bench: {scenario.name}: {name} differs from N at {where} "
                        f"for {payload[:200]!r}"
                    )
        checked[scenario.name] = len(samples)
    return checked


def first_difference(left: Any, right: Any, path: str = "data") -> str | None:
    """The path of the first place two JSON values differ, with both values; None if equal."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            found = first_difference(left.get(key), right.get(key), f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    return None if left == right else f"{path}: {str(left)[:200]} != {str(right)[:200]}"


def counted(
    client: httpx.Client,
    server: VariantServer,
    bodies: list[bytes],
    before_each: Callable[[], None] | None = None,
    headers: list[dict[str, str]] | None = None,
    check: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Exact MongoDB commands and cache operations per request over `bodies`, plus latency.

    `headers` (one per body) replace the client's own; `check` sees each answer.
    """
    client.post(f"{server.url}/__bench/reset")
    took: list[float] = []
    for index, payload in enumerate(bodies):
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        answer = post(client, server, payload, headers[index] if headers else None)
        took.append((time.perf_counter() - started) * 1000)
        if check is not None:
            check(answer)
    stats = client.get(f"{server.url}/__bench/stats").json()
    n = len(bodies)
    commands: dict[str, int] = stats["commands"]
    cache: dict[str, int] = stats["cache"]
    return {
        "requests": n,
        "mongo_commands": round(sum(commands.values()) / n, 2),
        "mongo_by_name": {name: round(count / n, 2) for name, count in sorted(commands.items())},
        "cache_ops": round(sum(cache.get(op, 0) for op in ("gets", "sets", "deletes")) / n, 2),
        "cache_hit_keys": round(cache.get("hits", 0) / n, 2),
        "cache_miss_keys": round(cache.get("misses", 0) / n, 2),
        "client_p50_ms": round(statistics.median(took), 2),
    }


def combine(results: list[LoadResult]) -> dict[str, Any]:
    """Median over rounds of each figure (rounds are interleaved with the other variants)."""
    return {
        "rounds": len(results),
        "requests": sum(r.requests for r in results),
        "p50_ms": round(statistics.median(r.p50_ms for r in results), 2),
        "p99_ms": round(statistics.median(r.p99_ms for r in results), 2),
        "rps": round(statistics.median(r.rps for r in results), 2),
        "errors": sum(r.errors for r in results),
    }


def load_rounds(
    servers: list[VariantServer],
    scenarios: list[Scenario],
    concurrencies: list[int],
    seconds: Callable[[str, str, int], float],
    rounds: int,
    progress: Callable[[str], None],
) -> dict[str, dict[str, dict[int, dict[str, Any]]]]:
    """wrk runs interleaved N D S F N D S F … per scenario and concurrency, `rounds` times."""
    files = {s.name: bodies_file(s.bodies) for s in scenarios}
    raw: dict[tuple[str, str, int], list[LoadResult]] = {}
    total = rounds * len(scenarios) * len(concurrencies) * len(servers)
    done = 0
    try:
        for scenario in scenarios:  # warm-up: connection pools, imports, caches
            for server in servers:
                run_wrk(f"{server.url}/graphql", files[scenario.name], concurrency=1, seconds=1)
                server.wait_idle()
        for round_no in range(rounds):
            for scenario in scenarios:
                for concurrency in concurrencies:
                    for server in servers:
                        span = seconds(scenario.name, server.name, concurrency)
                        result = run_wrk(
                            f"{server.url}/graphql",
                            files[scenario.name],
                            concurrency=concurrency,
                            seconds=span,
                        )
                        server.wait_idle()
                        raw.setdefault((scenario.name, server.name, concurrency), []).append(result)
                        done += 1
                        progress(
                            f"[{done}/{total}] round {round_no + 1} {scenario.name} "
                            f"c={concurrency} {server.name}: p50 {result.p50_ms:.1f} ms, "
                            f"{result.rps:.1f} req/s"
                        )
    finally:
        for path in files.values():
            path.unlink(missing_ok=True)
    table: dict[str, dict[str, dict[int, dict[str, Any]]]] = {}
    for (scenario_name, variant, concurrency), results in raw.items():
        table.setdefault(scenario_name, {}).setdefault(variant, {})[concurrency] = combine(results)
    return table
