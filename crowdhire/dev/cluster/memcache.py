"""Two memcached behind nutcracker (twemproxy): one cache address for every app instance."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from crowdhire.dev.cluster.layout import Layout, Ports
from crowdhire.dev.cluster.processes import Managed
from crowdhire.dev.servers import HOST, find_memcached

# A dead memcached is ejected after its first failure and retried every 30 s; its keys move to
# the survivor on the ketama ring meanwhile (fresh misses, then hits again).
POOL_TEMPLATE = """\
crowdhire:
  listen: {host}:{port}
  hash: fnv1a_64
  distribution: ketama
  timeout: 400
  backlog: 1024
  preconnect: true
  auto_eject_hosts: true
  server_retry_timeout: 30000
  server_failure_limit: 1
  servers:
{servers}
"""


def memcached(layout: Layout, ports: Ports) -> list[Managed]:
    """The memcached processes, `memcached1` and `memcached2`."""
    return [Managed(layout, f"memcached{i + 1}", port) for i, port in enumerate(ports.memcached)]


def nutcracker(layout: Layout, ports: Ports) -> Managed:
    """The twemproxy process."""
    return Managed(layout, "nutcracker", ports.nutcracker)


def find_nutcracker() -> str:
    """nutcracker on PATH (Debian installs it in /usr/sbin)."""
    found = shutil.which("nutcracker") or shutil.which("nutcracker", path="/usr/sbin:/usr/bin")
    if not found:
        raise RuntimeError("no nutcracker: run `apt-get install nutcracker` (as root)")
    return found


def start_memcached(layout: Layout, ports: Ports, index: int) -> None:
    """Start one memcached (64 MiB, TCP only)."""
    proc = memcached(layout, ports)[index]
    root = ["-u", "root"] if os.geteuid() == 0 else []  # memcached refuses root without -u
    proc.spawn([find_memcached(), "-l", HOST, "-p", str(proc.port), "-U", "0", "-m", "64", *root])


def write_pool_config(layout: Layout, ports: Ports) -> Path:
    """nutcracker.yml for this cluster's two memcached."""
    servers = "\n".join(f"    - {HOST}:{port}:1 memcached{i + 1}"
                        for i, port in enumerate(ports.memcached))  # fmt: skip
    path = layout.root / "nutcracker.yml"
    path.write_text(POOL_TEMPLATE.format(host=HOST, port=ports.nutcracker, servers=servers))
    return path


def start_nutcracker(layout: Layout, ports: Ports) -> None:
    """Start twemproxy in the foreground of its own session (-p: its default pid dir is absent)."""
    config = write_pool_config(layout, ports)
    proc = nutcracker(layout, ports)
    proc.spawn([
        find_nutcracker(), "-c", str(config), "-o", str(layout.logs / "nutcracker.out"),
        "-p", str(layout.run / "nutcracker.self.pid"),
        "-s", str(ports.nutcracker_stats), "-a", HOST,
    ])  # fmt: skip


def stats(port: int, timeout: float = 1.0) -> dict[str, int]:
    """A memcached's `stats` (integers only); empty when it does not answer."""
    found: dict[str, int] = {}
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(b"stats\r\n")
            data = b""
            while not data.endswith(b"END\r\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return found
    for line in data.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "STAT" and parts[2].isdigit():
            found[parts[1]] = int(parts[2])
    return found


def answers(port: int) -> bool:
    """True when something on `port` speaks the memcached protocol (memcached or twemproxy)."""
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as sock:
            sock.sendall(b"get crowdhire:ping\r\n")
            return sock.recv(64).startswith((b"END", b"VALUE"))
    except OSError:
        return False
