"""`crowdhire cluster up|status|down|kill|start`: the whole deployment on loopback."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

DEFAULT_DIR = Path(".cluster")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `cluster` subcommand's arguments."""
    parser.add_argument("action", choices=["up", "status", "down", "kill", "start"],
                        help="up: start (or resume) it; down: stop what it started; "
                             "kill/start NAME: SIGKILL or start one process")  # fmt: skip
    parser.add_argument("name", nargs="?", help="process for kill/start (mongod1, app2, …)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                        help=f"state directory (default {DEFAULT_DIR})")  # fmt: skip
    parser.add_argument("--port", type=int, default=0,
                        help="nginx port on the first `up` (default: a free port)")  # fmt: skip
    parser.add_argument("--scale", type=float, default=1.0,
                        help="demo data scale seeded on the first `up` (0 = no data)")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Carry out one cluster action; returns the exit status."""
    from crowdhire.dev.cluster import tls  # noqa: PLC0415
    from crowdhire.dev.cluster.control import Cluster, format_status  # noqa: PLC0415

    logging.getLogger("httpx").setLevel(logging.WARNING)
    cluster = Cluster(args.dir, args.port)
    if args.action == "up":
        print(f"crowdhire: starting the cluster in {cluster.layout.root} …", flush=True)
        try:
            cluster.up(seed_scale=args.scale)
        except RuntimeError as error:
            print(f"crowdhire: cluster up failed: {error}", file=sys.stderr)
            return 1
        print(format_status(cluster.status()))
        print(f"crowdhire: GraphQL at {cluster.url} (nginx → 3 instances)")
        print(f"crowdhire: TLS by the cluster's own CA: {tls.ca_file(cluster.layout)}")
        print(f"crowdhire: tokens: DATA_DIR={cluster.layout.app_data} crowdhire token --as admin")
        return 0
    if args.action == "status":
        rows = cluster.status()
        print(format_status(rows))
        return 0 if all(row.alive for row in rows) else 3
    if args.action == "down":
        cluster.down()
        print("crowdhire: cluster stopped (data kept in its directory)")
        return 0
    if not args.name:
        print(f"crowdhire: cluster {args.action} needs a process name", file=sys.stderr)
        return 2
    try:
        if args.action == "kill":
            cluster.get(args.name).kill()
        else:
            cluster.start_member(args.name)
    except KeyError as error:
        print(f"crowdhire: {error.args[0]}", file=sys.stderr)
        return 2
    return 0
