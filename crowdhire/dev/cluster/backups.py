"""The cluster's backup service: `crowdhire backup follow` into the state directory's backups/."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from crowdhire.backup.archive import Archive
from crowdhire.dev.cluster import apps
from crowdhire.dev.cluster.layout import Layout, Ports
from crowdhire.dev.cluster.processes import Managed

READY_TIMEOUT = 60.0
# Short segments so drills (and operators trying it out) see the archive move within seconds.
ENVIRONMENT = {"BACKUP_SEGMENT_SECONDS": "2", "BACKUP_POLL_SECONDS": "0.5"}


def directory(layout: Layout) -> Path:
    """Where the follower writes its snapshots and oplog segments."""
    return layout.root / "backups"


def follower(layout: Layout, ports: Ports) -> Managed:
    """The follower process (it listens on no port)."""
    return Managed(layout, "backup", 0)


def environment(layout: Layout, ports: Ports) -> dict[str, str]:
    """The app's settings plus the backup schedule."""
    return apps.environment(layout, ports) | ENVIRONMENT


def start(layout: Layout, ports: Ports) -> None:
    """Start the follower; wait until its archive has a snapshot and a position."""
    command = [sys.executable, "-m", "crowdhire.cli", "backup", "follow",
               "--to", str(directory(layout))]  # fmt: skip
    proc = follower(layout, ports)
    proc.spawn(command, environment(layout, ports))
    archive = Archive(directory(layout))
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if archive.position_file.exists():
            return
        if not proc.alive:
            tail = proc.log_file.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"backup follower exited at start-up:\n{tail}")
        time.sleep(0.2)
    raise RuntimeError(f"backup follower wrote no snapshot within {READY_TIMEOUT:.0f} s")
