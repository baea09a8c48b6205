"""Bring a cluster up, report on it, take it down; start or kill single members (drills)."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from crowdhire.dev.cluster import apps, backups, memcache, mongo, nginx, tls
from crowdhire.dev.cluster.layout import Layout, Ports
from crowdhire.dev.cluster.processes import Managed, stop_all
from crowdhire.dev.servers import HOST


@dataclass
class ProcessStatus:
    """One line of `cluster status`."""

    name: str
    pid: int | None
    port: int
    role: str = ""

    @property
    def alive(self) -> bool:
        """True when the process runs."""
        return self.pid is not None


class Cluster:
    """The processes under one state directory."""

    def __init__(self, root: Path, nginx_port: int = 0) -> None:
        self.layout = Layout(Path(root).resolve())
        saved = self.layout.load_ports()
        self.ports = saved or Ports.fresh(nginx_port)
        if saved is not None and nginx_port and nginx_port != saved.nginx:
            self.ports.nginx = nginx_port

    @property
    def url(self) -> str:
        """The GraphQL endpoint behind nginx (https; plain http only redirects here)."""
        return f"https://{HOST}:{self.ports.nginx_tls}/graphql"

    @property
    def plain_url(self) -> str:
        """nginx's plain-HTTP endpoint, which answers 308 to the https one."""
        return f"http://{HOST}:{self.ports.nginx}/graphql"

    @property
    def verify(self) -> ssl.SSLContext:
        """A TLS context trusting the cluster's own CA (for httpx's `verify=`)."""
        return tls.client_context(self.layout)

    def processes(self) -> list[Managed]:
        """Every process, in start order."""
        return [
            *mongo.members(self.layout, self.ports),
            *memcache.memcached(self.layout, self.ports),
            memcache.nutcracker(self.layout, self.ports),
            *apps.instances(self.layout, self.ports),
            nginx.process(self.layout, self.ports),
            backups.follower(self.layout, self.ports),
        ]

    def get(self, name: str) -> Managed:
        """One process by name (`mongod1`, `memcached2`, `app3`, `nginx`, …)."""
        for proc in self.processes():
            if proc.name == name:
                return proc
        raise KeyError(f"no process {name!r} in the cluster")

    def up(self, seed_scale: float = 1.0) -> None:
        """Start whatever is not running; initiate and seed on first start; wait until ready."""
        self.layout.prepare()
        self.layout.save_ports(self.ports)
        for index in range(len(self.ports.mongod)):
            mongo.start(self.layout, self.ports, index)
        for index in range(len(self.ports.memcached)):
            memcache.start_memcached(self.layout, self.ports, index)
        memcache.start_nutcracker(self.layout, self.ports)
        mongo.initiate_and_wait(self.layout, self.ports)
        if seed_scale > 0:
            apps.seed(self.layout, self.ports, seed_scale)  # a no-op when data exists
        backups.start(self.layout, self.ports)  # `backup follow`: snapshots + oplog archive
        apps.create_issuer_key(self.layout)
        for index in range(len(self.ports.apps)):
            apps.start(self.layout, self.ports, index)
        apps.wait_ready(self.layout, self.ports, list(range(len(self.ports.apps))))
        nginx.start(self.layout, self.ports)
        self._wait_for("nginx", self.through_nginx_ok)
        self._wait_for("nutcracker", lambda: memcache.answers(self.ports.nutcracker))

    def _wait_for(self, what: str, check: object, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if callable(check) and check():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")

    def through_nginx_ok(self) -> bool:
        """True when /readyz answers 200 through nginx."""
        try:
            url = f"https://{HOST}:{self.ports.nginx_tls}/readyz"
            return httpx.get(url, timeout=2.0, verify=self.verify).status_code == 200
        except httpx.HTTPError:
            return False

    def status(self) -> list[ProcessStatus]:
        """Each process (pid or None) with the replica-set role of each mongod."""
        roles = mongo.roles(self.ports)
        rows = []
        for proc in self.processes():
            role = roles.get(proc.port, "") if proc.name.startswith("mongod") else ""
            rows.append(ProcessStatus(proc.name, proc.pid(), proc.port, role))
        return rows

    def down(self) -> None:
        """Stop everything this directory's pid files name: front to back, then MongoDB."""
        procs = self.processes()
        front = [p for p in procs if not p.name.startswith("mongod")]
        stop_all([p for p in front if p.name == "nginx"])
        stop_all([p for p in front if p.name != "nginx"])
        stop_all([p for p in procs if p.name.startswith("mongod")], timeout=60.0)

    def start_member(self, name: str) -> None:
        """(Re)start one stopped process and wait until it serves."""
        kind = name.rstrip("0123456789")
        index = int(name[len(kind) :] or "1") - 1
        if kind == "mongod":
            mongo.start(self.layout, self.ports, index)
        elif kind == "memcached":
            memcache.start_memcached(self.layout, self.ports, index)
        elif kind == "app":
            apps.start(self.layout, self.ports, index)
            apps.wait_ready(self.layout, self.ports, [index])
        elif kind == "nutcracker":
            memcache.start_nutcracker(self.layout, self.ports)
        elif kind == "nginx":
            nginx.start(self.layout, self.ports)
        elif kind == "backup":
            backups.start(self.layout, self.ports)
        else:
            raise KeyError(f"no process {name!r} in the cluster")


def format_status(rows: list[ProcessStatus]) -> str:
    """`cluster status` as a table."""
    lines = [f"{'process':<11} {'state':<6} {'pid':>8} {'port':>6}  role"]
    for row in rows:
        state = "alive" if row.alive else "dead"
        pid = str(row.pid) if row.pid else "-"
        lines.append(f"{row.name:<11} {state:<6} {pid:>8} {row.port:>6}  {row.role}".rstrip())
    return "\n".join(lines)
