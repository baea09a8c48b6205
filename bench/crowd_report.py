"""The crowd results as a markdown table with the ratios to the floor."""

from __future__ import annotations

from typing import Any

Cell = dict[str, Any]


def _ratio(top: float | None, bottom: float | None) -> str:
    return f"{top / bottom:.2f}x" if top and bottom else "n/a"


def _latency(cell: Cell) -> str:
    return f"{cell['p50_ms']} / {cell['p99_ms']}" if cell else "—"


def _reads(cell: Cell) -> str:
    return f"{cell['reads_per_s']}" if cell else "—"


def _row(mix: str, c: int, cells: dict[str, Cell]) -> str:
    d, o, s, f = (cells.get(f"{v}@{c}") or {} for v in "DOSF")
    floor = f
    share = s.get("hit_share")
    writes = " / ".join(str(cell.get("writes_per_s", 0)) for cell in (d, o, s, f))
    columns = [
        f"{int(mix) / 10:g} %", str(c), _reads(d), _reads(o), _reads(s), _reads(f),
        _latency(d), _latency(o), _latency(s), _latency(f), writes,
        "n/a" if share is None else f"{share:.0%}",
        _ratio(s.get("p50_ms"), floor.get("p50_ms")),
        _ratio(o.get("p50_ms"), floor.get("p50_ms")),
        _ratio(d.get("p50_ms"), floor.get("p50_ms")),
    ]  # fmt: skip
    return "| " + " | ".join(columns) + " |"


def crowd_markdown(results: dict[str, Any]) -> str:
    """One row per write share and concurrency: reads/s, p50/p99, writes/s, hit share."""
    load = results["load"]
    lines = [
        f"Crowd run {results['date']} on {results['machine']}; dataset scale {results['scale']};"
        f" {results['seconds_per_run']:g} s per cell (c=32: twice that), one round; 40"
        " recruiters, 10 company members and anonymous visitors, each reading their own page;"
        " every answer checked. F writes by hand too: each mix's ratios divide by F's cell of"
        " the same mix.",
        "",
        "| writes | c | D reads/s | O reads/s | S reads/s | F reads/s | D p50 / p99 ms "
        "| O p50 / p99 | S p50 / p99 | F p50 / p99 | writes/s D / O / S / F | S hit share "
        "| S/F p50 | O/F p50 | D/F p50 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mix, cells in load.items():
        for c in sorted({int(key.split("@")[1]) for key in cells}):
            lines.append(_row(mix, c, cells))
    rss = ", ".join(f"{k} {v}" for k, v in results["peak_rss_mb"].items())
    lines += ["", f"Peak RSS (MiB): {rss}", ""]
    return "\n".join(lines)
