"""`make bench-backup`: peak memory of `backup create` on a small and a large collection (bounded
means about equal), and restore speed per 10,000 documents; writes bench/results/backup.md."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pymongo

from crowdhire.dev.cluster.report import machine
from crowdhire.dev.servers import MongodServer

RESULTS = Path(__file__).parent / "results" / "backup.md"


def _fill(uri: str, database: str, count: int) -> None:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri)
    with client:
        for start in range(0, count, 10_000):
            size = min(10_000, count - start)  # ~1 KB each, as incompressible as hex gets
            docs = [{"n": start + i, "pad": os.urandom(450).hex(), "tags": ["a", "b"]}
                    for i in range(size)]  # fmt: skip
            client[database].docs.insert_many(docs)


def _collection_mib(uri: str, database: str) -> float:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri)
    with client:
        return float(client[database].command("collStats", "docs")["size"]) / 2**20


def _cli(uri: str, database: str, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB, stdout) of one `crowdhire backup …` process."""
    env = {**os.environ, "CROWDHIRE_ENV": "test", "MONGODB_URI": uri, "MONGODB_DB": database}
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "crowdhire.cli", "backup", *args],
                                env=env, stdout=out, stderr=err)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        proc.returncode = os.waitstatus_to_exitcode(status)
        took = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(err.read()[-2000:])
        return took, usage.ru_maxrss / 1024, out.read()


def main(argv: list[str] | None = None) -> int:
    """Small vs large snapshot, then a restore of the large one."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=300_000)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, MongodServer(Path(tmp) / "mongod") as server:
        rows = []
        for label, count in (("small", args.small), ("large", args.large)):
            _fill(server.uri, label, count)
            took, peak, _ = _cli(server.uri, label, "create", "--to", f"{tmp}/{label}")
            size = sum(p.stat().st_size for p in Path(tmp, label).rglob("*") if p.is_file())
            bson = _collection_mib(server.uri, label)
            rows.append((label, count, bson, took, peak, size / 2**20))
            print(
                f"snapshot {label}: {count} docs, {took:.1f} s, peak RSS {peak:.0f} MiB", flush=True
            )
        took, _, out = _cli(server.uri, "large", "restore", "--from", f"{tmp}/large",
                            "--at", "latest", "--into", "restored")  # fmt: skip
        print(out.strip(), flush=True)
    lines = ["# Backups (`python -m bench.backup`)", "",
             f"Run on {machine()}; one mongod 6.0 (single-node replica set), ~1 KB documents.", "",
             "| Collection | Documents | BSON MiB | `create` s | peak RSS MiB | archive MiB |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {r[0]} | {r[1]} | {r[2]:.0f} | {r[3]:.1f} | {r[4]:.0f} | {r[5]:.1f} |"
              for r in rows]  # fmt: skip
    per_10k = took * 10_000 / args.large
    lines += ["", f"Restore of the large one (`backup restore --at latest`, process included):"
              f" {took:.1f} s = {per_10k:.2f} s per 10,000 documents.", "",
              f"`{out.strip()}`", ""]  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
