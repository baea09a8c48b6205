"""`make drills`: a fresh cluster, the full failure drills, bench/results/drills.md, teardown."""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from crowdhire.dev.cluster import drills, probes, restore_drill
from crowdhire.dev.cluster.control import Cluster, format_status
from crowdhire.dev.cluster.report import markdown

RESULTS = Path(__file__).parent / "results" / "drills.md"


def main(argv: list[str] | None = None) -> int:
    """Run every drill; exit 1 when one fails."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", choices=["full", "short"], default="full")
    parser.add_argument("--scale", type=float, default=1.0, help="demo data scale")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--only-restore", action="store_true",
                        help="drill 5 alone (point-in-time restore), ~2 minutes")  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    profile = drills.FULL if args.profile == "full" else drills.SHORT
    root = Path(tempfile.mkdtemp(prefix="crowdhire-drills-"))
    cluster = Cluster(root)
    try:
        print(f"drills: starting a cluster in {root} …", flush=True)
        cluster.up(seed_scale=args.scale)
        print(format_status(cluster.status()), flush=True)
        budget = probes.shared_budget(cluster)
        print(f"{'PASS' if budget[0] else 'FAIL'} cost budget shared: {budget[1]}", flush=True)
        results = [] if args.only_restore else asyncio.run(drills.run_all(cluster, profile))
        results.append(asyncio.run(restore_drill.point_in_time_restore(cluster, profile)))
        print(results[-1].line(), flush=True)
    finally:
        cluster.down()
        shutil.rmtree(root, ignore_errors=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(markdown(results, profile, budget, args.scale))
    print(f"drills: wrote {args.output}")
    return 0 if budget[0] and all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
