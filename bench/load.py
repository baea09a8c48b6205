"""The load tool: wrk (C, event-driven) with a Lua script that POSTs GraphQL bodies."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson

SCRIPT = Path(__file__).with_name("wrk_post.lua")


@dataclass(frozen=True)
class LoadResult:
    """One wrk run: latency percentiles in milliseconds and throughput."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    rps: float
    errors: int

    def as_dict(self) -> dict[str, float | int]:
        """JSON-ready fields."""
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "mean_ms": round(self.mean_ms, 2),
            "rps": round(self.rps, 2),
            "errors": self.errors,
        }


def find_wrk() -> str:
    """The wrk binary on PATH (`apt-get install wrk`; `make bench` installs it)."""
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: wrk is not on PATH: run `apt-get install wrk` (make bench does)")
    return found


def bodies_file(bodies: list[bytes]) -> Path:
    """Write request bodies one per line for the Lua script; the caller deletes the file."""
    handle = tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False)  # noqa: SIM115
    with handle:
        handle.write(b"\n".join(bodies) + b"\n")
    return Path(handle.name)


def run_wrk(url: str, bodies: Path, *, concurrency: int, seconds: float) -> LoadResult:
    """Run wrk against `url` with `concurrency` connections for `seconds`."""
    threads = min(concurrency, 2)  # two cores: more wrk threads would only steal server CPU
    argv = [
        find_wrk(),
        *(f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "120s"),
        *("-s", str(SCRIPT), url, "--", str(bodies)),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 180)
    line = next((row for row in done.stdout.splitlines() if row.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    raw = orjson.loads(line.removeprefix("BENCHJSON "))
    duration = raw["duration_us"] / 1e6
    return LoadResult(
        requests=raw["requests"],
        seconds=duration,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        mean_ms=raw["mean_us"] / 1000,
        rps=raw["requests"] / duration if duration else 0.0,
        errors=raw["errors"] + raw["non2xx"],
    )
