"""The crowdhire instances: `crowdhire serve` three times on one replica set and cache pool."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from crowdhire.auth.dev import dev_private_key
from crowdhire.dev.cluster.layout import NGINX_SOURCE_ADDRESS, Layout, Ports
from crowdhire.dev.cluster.processes import Managed
from crowdhire.dev.servers import HOST
from crowdhire.settings import Environment, Settings

READY_TIMEOUT = 90.0


def instances(layout: Layout, ports: Ports) -> list[Managed]:
    """The app processes, `app1`..`app3`."""
    return [Managed(layout, f"app{i + 1}", port) for i, port in enumerate(ports.apps)]


def environment(layout: Layout, ports: Ports) -> dict[str, str]:
    """Settings shared by every instance (PORT aside); see docs/deploy.md for each."""
    return {
        **os.environ,
        "CROWDHIRE_ENV": "dev",  # the dev token issuer: its key in the shared DATA_DIR
        "DATA_DIR": str(layout.app_data),
        "MONGODB_URI": layout.mongodb_uri(ports),
        # Server selection may wait through an election (5-7 s here) within the 8 s op timeout.
        "MONGODB_TIMEOUT_MS": "8000",
        "MEMCACHED_URL": f"{HOST}:{ports.nutcracker}",
        "SEED_DEMO": "false",  # `up` seeds once; three instances must not race to seed
        "HOST": HOST,
        "LOG_FORMAT": "json",
        # X-Forwarded-Proto/-For are believed from nginx only: it connects from its own address.
        "FORWARDED_ALLOW_IPS": NGINX_SOURCE_ADDRESS,
    }


def seed(layout: Layout, ports: Ports, scale: float) -> None:
    """Seed the demo data set into an empty database (`crowdhire seed`)."""
    env = environment(layout, ports)
    command = [sys.executable, "-m", "crowdhire.cli", "seed", "--scale", str(scale)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed: {done.stderr[-2000:]}")


def create_issuer_key(layout: Layout) -> None:
    """Create the shared dev signing key once, before instances start (they would race to)."""
    dev_private_key(Settings(crowdhire_env=Environment.DEV, data_dir=layout.app_data))


def start(layout: Layout, ports: Ports, index: int) -> None:
    """Start one instance (no wait)."""
    app = instances(layout, ports)[index]
    env = environment(layout, ports) | {"PORT": str(app.port)}
    app.spawn([sys.executable, "-m", "crowdhire.cli", "serve"], env)


def ready(port: int) -> bool:
    """True when the instance's /readyz answers 200."""
    try:
        return httpx.get(f"http://{HOST}:{port}/readyz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def wait_ready(layout: Layout, ports: Ports, indexes: list[int]) -> None:
    """Wait until each instance answers /readyz; fail early when one exits."""
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = {i: instances(layout, ports)[i] for i in indexes}
    while waiting and time.monotonic() < deadline:
        for index, app in list(waiting.items()):
            if ready(app.port):
                del waiting[index]
            elif not app.alive:
                tail = app.log_file.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{app.name} exited at start-up:\n{tail}")
        time.sleep(0.2)
    if waiting:
        raise RuntimeError(f"not ready in {READY_TIMEOUT:.0f} s: {sorted(waiting)}")


def admin_token(layout: Layout, ports: Ports) -> str:
    """A dev admin token valid on every instance (`crowdhire token --as admin`)."""
    env = environment(layout, ports)
    command = [sys.executable, "-m", "crowdhire.cli", "token", "--as", "admin"]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
