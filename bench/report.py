"""Results: bench/results/latest.json and a markdown table with the issue's ratios."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

VARIANTS = ["N", "D", "O", "S", "F"]


def machine() -> str:
    """A one-line description of the machine the run happened on."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kb = 0
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def _ratio(top: float | None, bottom: float | None) -> str:
    if not top or not bottom:
        return "n/a"
    return f"{top / bottom:.1f}x"


def _load_cell(load: dict[str, Any], scenario: str, variant: str, concurrency: int) -> Any:
    return load.get(scenario, {}).get(variant, {}).get(concurrency) or load.get(scenario, {}).get(
        variant, {}
    ).get(str(concurrency))


def _rows(
    load: dict[str, Any], variants: Iterable[str]
) -> Iterator[tuple[str, int, dict[str, Any], dict[str, str], dict[str, float]]]:
    """(scenario, c, cells, "p50 / p99" and p50 per variant) for each row with every variant."""
    for scenario in load:
        for concurrency in (1, 8):
            cells = {v: _load_cell(load, scenario, v, concurrency) for v in variants}
            if not all(cells.values()):
                continue
            pair = {v: f"{c['p50_ms']:.1f} / {c['p99_ms']:.1f}" for v, c in cells.items()}
            p50 = {v: c["p50_ms"] for v, c in cells.items()}
            yield scenario, concurrency, cells, pair, p50


def _uncached_table(load: dict[str, Any]) -> list[str]:
    """The issue's uncached target (D/F), and G (D with the read-path work off) beside it."""
    lines = [
        "",
        "Uncached execution against the floor; G is D with the read-path optimizations off "
        "(graphql-core executes every field, documents are validated on read):",
        "",
        "| Scenario | c | G p50 / p99 ms | D p50 / p99 | F p50 / p99 | G/F | D/F | G/D |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for scenario, concurrency, _, pair, p50 in _rows(load, "GDF"):
        lines.append(
            f"| {scenario} | {concurrency} | {pair['G']} | {pair['D']} | {pair['F']} "
            f"| {_ratio(p50['G'], p50['F'])} | {_ratio(p50['D'], p50['F'])} "
            f"| {_ratio(p50['G'], p50['D'])} |"
        )
    return lines


def markdown(results: dict[str, Any]) -> str:
    """The results as markdown: latency table, ratios, counts, RSS."""
    load, counts = results["load"], results["counts"]
    lines = [
        f"Run {results['date']} on {results['machine']}; dataset scale {results['scale']} "
        f"({', '.join(f'{v} {k}' for k, v in results['dataset'].items())}); "
        f"{results['load_tool']}, {results['rounds']} interleaved rounds of "
        f"≥ {results['seconds_per_run']:g} s per variant (medians over rounds).",
        "",
        "N naive, D no cache, O object cache only (warm), S object + response cache (warm, "
        "the default), F hand-written floor.",
        "",
        "| Scenario | c | N p50 / p99 ms | D p50 / p99 | O p50 / p99 | S p50 / p99 "
        "| F p50 / p99 | S req/s | N/S | S/F | O/F | D/O | D/S |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario, concurrency, cells, pair, p50 in _rows(load, VARIANTS):
        lines.append(
            f"| {scenario} | {concurrency} | {pair['N']} | {pair['D']} | {pair['O']} "
            f"| {pair['S']} | {pair['F']} | {cells['S']['rps']:.0f} "
            f"| {_ratio(p50['N'], p50['S'])} | {_ratio(p50['S'], p50['F'])} "
            f"| {_ratio(p50['O'], p50['F'])} | {_ratio(p50['D'], p50['O'])} "
            f"| {_ratio(p50['D'], p50['S'])} |"
        )
    lines += _uncached_table(load)
    lines += [
        "",
        "Per request, exact (command monitoring inside each server; cache ops = memcached "
        "multi-get/multi-set calls + deletes):",
        "",
        "| Scenario | N cmds | D cmds | S-cold cmds / cache ops | O-warm cmds / cache ops "
        "| S-warm cmds / cache ops | F cmds | S-cold p50 ms (c=1, flushed) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for scenario, row in counts.items():
        lines.append(
            f"| {scenario} | {row['N']['mongo_commands']:g} | {row['D']['mongo_commands']:g} "
            f"| {row['S-cold']['mongo_commands']:g} / {row['S-cold']['cache_ops']:g} "
            f"| {row['O-warm']['mongo_commands']:g} / {row['O-warm']['cache_ops']:g} "
            f"| {row['S-warm']['mongo_commands']:g} / {row['S-warm']['cache_ops']:g} "
            f"| {row['F']['mongo_commands']:g} | {row['S-cold']['client_p50_ms']:.1f} |"
        )
    growth = results["jobs_page_growth"]
    lines += [
        "",
        "Jobs page MongoDB commands, 5 vs 50 jobs: "
        + "; ".join(f"{v} {growth['5'][v]:g} → {growth['50'][v]:g}" for v in growth["5"]),
        "",
        "Peak RSS (MiB): " + ", ".join(f"{k} {v:g}" for k, v in results["peak_rss_mb"].items()),
        "",
        f"Mutation mix: {results['mutation_mix']['status']}.",
    ]
    return "\n".join(lines) + "\n"


def write_results(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """Write latest.json and latest.md into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "latest.json", out / "latest.md"
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS
    json_path.write_bytes(orjson.dumps(results, option=options) + b"\n")
    md_path.write_text("# crowdhire benchmark: latest run\n\n" + markdown(results))
    return json_path, md_path
