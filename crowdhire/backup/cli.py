"""`crowdhire backup create|follow|restore|verify`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from crowdhire.backup.archive import Archive
from crowdhire.backup.errors import BackupError
from crowdhire.backup.times import parse_at, wall_to_json
from crowdhire.settings import Settings

Connect = Callable[[Settings], AbstractContextManager[Settings]]


def register(commands: Any) -> None:
    """Add the `backup` command and its actions to the CLI's subparsers."""
    backup = commands.add_parser("backup", help="snapshots, oplog archive, point-in-time restore")
    actions = backup.add_subparsers(dest="backup_command", required=True)
    create = actions.add_parser("create", help="write a consistent snapshot of every collection")
    create.add_argument("--to", type=Path, required=True, help="backup directory")
    follow = actions.add_parser(
        "follow", help="archive the oplog continuously; snapshot every BACKUP_SNAPSHOT_HOURS"
    )
    follow.add_argument("--to", type=Path, required=True, help="backup directory")
    restore = actions.add_parser("restore", help="restore a point in time into a new database")
    restore.add_argument("--from", dest="source", type=Path, required=True,
                         help="backup directory")  # fmt: skip
    restore.add_argument(
        "--at", required=True, help='ISO 8601 time with a zone ("2026-12-01T10:15:00Z") or latest'
    )
    restore.add_argument("--into", required=True, help="database to create")
    restore.add_argument("--force", action="store_true",
                         help="replace the target database even if it holds data")  # fmt: skip
    verify = actions.add_parser("verify", help="check checksums and oplog continuity")
    verify.add_argument("directory", type=Path, help="backup directory")


def run(args: argparse.Namespace, settings: Settings, connect: Connect) -> int:
    """Carry out one backup action; a BackupError is printed as one line, exit status 1."""
    try:
        if args.backup_command == "verify":
            return _verify(Archive(args.directory))
        with connect(settings) as ready:
            return asyncio.run(_with_client(args, ready))
    except BackupError as error:
        print(f"crowdhire backup: {error}", file=sys.stderr)
        return 1
    except PyMongoError as error:  # e.g. no server answered within MONGODB_TIMEOUT_MS
        print(f"crowdhire backup: MongoDB failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


async def _with_client(args: argparse.Namespace, settings: Settings) -> int:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_uri, serverSelectionTimeoutMS=settings.mongodb_timeout_ms, tz_aware=True
    )
    try:
        if args.backup_command == "create":
            return await _create(client, settings, Archive(args.to))
        if args.backup_command == "follow":
            return await _follow(client, settings, Archive(args.to))
        return await _restore(client, settings, args)
    finally:
        await client.close()


async def _create(client: AsyncMongoClient[Any], settings: Settings, archive: Archive) -> int:
    from crowdhire.backup.snapshot import take_snapshot  # noqa: PLC0415 - loads the schema

    snapshot = await take_snapshot(client, settings.mongodb_db, archive, settings.backup_key,
                                   progress=sys.stderr.isatty())  # fmt: skip
    manifest = snapshot.manifest
    documents = sum(c.count for c in manifest.collections.values())
    print(f"snapshot {snapshot.name}: {len(manifest.collections)} collections, {documents}"
          f" documents of {manifest.database} at {wall_to_json(manifest.wall)}"
          f"{' (encrypted)' if manifest.encrypted else ''} in {snapshot.path}")  # fmt: skip
    return 0


async def _follow(client: AsyncMongoClient[Any], settings: Settings, archive: Archive) -> int:
    from crowdhire.backup.service import Schedule, follow  # noqa: PLC0415

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    schedule = Schedule(settings.backup_poll_seconds, settings.backup_segment_seconds,
                        settings.backup_snapshot_hours, settings.backup_keep_days)  # fmt: skip
    print(f"crowdhire backup: following {settings.mongodb_db} into {archive.root}", flush=True)
    await follow(client, settings.mongodb_db, archive, settings.backup_key, schedule, stop)
    return 0


async def _restore(client: AsyncMongoClient[Any], settings: Settings, args: Any) -> int:
    from crowdhire.backup.plan import plan_restore  # noqa: PLC0415
    from crowdhire.backup.restore import ensure_empty, now_utc, restore  # noqa: PLC0415

    at = parse_at(args.at)
    plan = plan_restore(Archive(args.source), at, settings.backup_key, now_utc())
    await ensure_empty(client, args.into, args.force)
    done = await restore(client, plan, args.into, settings.backup_key, settings.mongodb_db)
    until = wall_to_json(at) if at else f"latest ({wall_to_json(plan.end_wall)})"
    print(f"restored {done.database} at {until}: snapshot {done.snapshot}, {done.documents}"
          f" documents + {done.operations} oplog operations, {done.erased_again} erased"
          f" candidates erased again, in {done.seconds:.1f} s"
          f" ({done.seconds_per_10k:.2f} s per 10,000 documents)")  # fmt: skip
    return 0


def _verify(archive: Archive) -> int:
    from crowdhire.backup.verify import verify  # noqa: PLC0415

    report = verify(archive)
    for line in report.checked:
        print(f"ok       {line}")
    for line in report.warnings:
        print(f"WARNING  {line}")
    for line in report.problems:
        print(f"FAILED   {line}")
    print("backup verify: OK" if report.ok else "backup verify: FAILED")
    return 0 if report.ok else 1
