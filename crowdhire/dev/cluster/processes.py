"""Daemonized processes tracked by pid files: start, check, signal, stop (ours only).

A process started here lives in its own session and outlives the command that started it. Its
environment carries CROWDHIRE_CLUSTER=<state dir>, so a stale pid file whose pid was reused by
an unrelated process is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crowdhire.dev.cluster.layout import Layout

MARKER = "CROWDHIRE_CLUSTER"
STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Managed:
    """One named process of the cluster (e.g. `mongod2`, `app1`, `nginx`)."""

    layout: Layout
    name: str
    port: int

    @property
    def pid_file(self) -> Path:
        """Where its pid is kept."""
        return self.layout.run / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        """Its stdout and stderr."""
        return self.layout.logs / f"{self.name}.log"

    def pid(self) -> int | None:
        """The pid from the pid file when that process is alive and ours, else None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _is_ours(pid, self.layout.root) else None

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.pid() is not None

    def spawn(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> int:
        """Start it in its own session (it outlives us) unless running; return its pid."""
        running = self.pid()
        if running is not None:
            return running
        full_env = {**(env if env is not None else os.environ), MARKER: str(self.layout.root)}
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=full_env,
                cwd=self.layout.root,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        _children[proc.pid] = proc
        return proc.pid

    def signal(self, sig: signal.Signals) -> bool:
        """Send `sig` if it runs; True when sent."""
        pid = self.pid()
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
            return True
        return False

    def kill(self) -> None:
        """SIGKILL, as a crash would; waits until it is gone."""
        pid = self.pid()
        if pid is not None:
            self.signal(signal.SIGKILL)
            wait_gone([pid], 10.0)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM, then SIGKILL after `timeout`; removes the pid file."""
        stop_all([self], timeout)


def stop_all(processes: Sequence[Managed], timeout: float = STOP_TIMEOUT) -> None:
    """Stop several at once (SIGTERM all, wait, SIGKILL the rest)."""
    pids = {p.name: pid for p in processes if (pid := p.pid()) is not None}
    for p in processes:
        if p.name in pids:
            p.signal(signal.SIGCONT)  # a paused process must wake up to act on SIGTERM
            p.signal(signal.SIGTERM)
    left = wait_gone(list(pids.values()), timeout)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_gone(left, 10.0)
    for p in processes:
        p.pid_file.unlink(missing_ok=True)


def wait_gone(pids: Sequence[int], timeout: float) -> list[int]:
    """Wait until the pids have exited (reaping our own children); return those still alive."""
    deadline = time.monotonic() + timeout
    left = list(pids)
    while left:
        left = [pid for pid in left if _running(pid)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return left


_children: dict[int, subprocess.Popen[bytes]] = {}
"""Processes this process started and has not seen exit: Popen reaps them (and a Popen dropped
while its child runs would warn that it was abandoned)."""


def _running(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _children[pid]
        return False
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)  # reap it when it is our child (else it stays a zombie)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _is_ours(pid: int, root: Path) -> bool:
    if not _running(pid):
        return False
    proc = Path(f"/proc/{pid}")
    try:
        environ = (proc / "environ").read_bytes().split(b"\0")
        cmdline = (proc / "cmdline").read_bytes()
    except OSError:
        return False
    # nginx rewrites its environment for its process title, which keeps the command line.
    return f"{MARKER}={root}".encode() in environ or str(root).encode() in cmdline
