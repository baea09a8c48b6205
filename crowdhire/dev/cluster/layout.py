"""Where a cluster keeps its state, and the ports it was given (kept so data and peers survive)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crowdhire.dev.servers import HOST, free_port

STATE_FILE = "cluster.json"
MONGOD_COUNT = 3
MEMCACHED_COUNT = 2
APP_COUNT = 3


# nginx connects to the apps from this loopback address, so they can trust its X-Forwarded-*
# headers and nobody else's (every other local client connects from 127.0.0.1).
NGINX_SOURCE_ADDRESS = "127.0.0.2"


@dataclass
class Ports:
    """Every port of the cluster; chosen once, then reused (replica-set members are host:port)."""

    mongod: list[int] = field(default_factory=list)
    memcached: list[int] = field(default_factory=list)
    nutcracker: int = 0
    nutcracker_stats: int = 0
    apps: list[int] = field(default_factory=list)
    nginx: int = 0
    nginx_tls: int = 0

    @classmethod
    def fresh(cls, nginx: int = 0) -> Ports:
        """Free ports for everything (nginx's own unless given)."""
        return cls(
            mongod=[free_port() for _ in range(MONGOD_COUNT)],
            memcached=[free_port() for _ in range(MEMCACHED_COUNT)],
            nutcracker=free_port(),
            nutcracker_stats=free_port(),
            apps=[free_port() for _ in range(APP_COUNT)],
            nginx=nginx or free_port(),
            nginx_tls=free_port(),
        )


@dataclass(frozen=True)
class Layout:
    """Paths under one state directory."""

    root: Path

    @property
    def run(self) -> Path:
        """Pid files of the processes `up` started."""
        return self.root / "run"

    @property
    def logs(self) -> Path:
        """One log file per process."""
        return self.root / "logs"

    @property
    def app_data(self) -> Path:
        """DATA_DIR shared by the app instances (the dev token issuer's key)."""
        return self.root / "app-data"

    def mongod_dbpath(self, index: int) -> Path:
        """Data directory of one replica-set member."""
        return self.root / f"mongo{index + 1}"

    def prepare(self) -> None:
        """Create the directories."""
        for path in (self.root, self.run, self.logs, self.app_data):
            path.mkdir(parents=True, exist_ok=True)

    def load_ports(self) -> Ports | None:
        """The ports saved by an earlier `up`, if any."""
        try:
            ports = Ports(**json.loads((self.root / STATE_FILE).read_text()))
        except (OSError, ValueError, TypeError):
            return None
        ports.nginx_tls = ports.nginx_tls or free_port()  # saved before nginx spoke TLS
        return ports

    def save_ports(self, ports: Ports) -> None:
        """Remember the ports for the next `up` and for `status`/`down`."""
        (self.root / STATE_FILE).write_text(json.dumps(asdict(ports), indent=2) + "\n")

    def mongodb_uri(self, ports: Ports) -> str:
        """The URI the app instances use: all members, majority writes, retryable ops."""
        hosts = ",".join(f"{HOST}:{port}" for port in ports.mongod)
        return f"mongodb://{hosts}/?replicaSet=rs0&w=majority&retryWrites=true&retryReads=true"
