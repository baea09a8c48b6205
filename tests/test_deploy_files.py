"""Dockerfile, docker-compose.yml and deploy/ agree with the app (no Docker engine runs here)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from starlette.routing import Route

from crowdhire.server import create_app
from crowdhire.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
NGINX = (ROOT / "deploy/nginx/nginx.conf").read_text()
TWEMPROXY: dict[str, Any] = yaml.safe_load((ROOT / "deploy/twemproxy/nutcracker.yml").read_text())
APP_SERVICES = ("crowdhire1", "crowdhire2")


def _environment(service: str) -> dict[str, str]:
    env: dict[str, str] = SERVICES[service]["environment"]

    # ${NAME:?message} is filled in by the operator at `docker compose up`; ${NAME:-default}
    # becomes its default when the operator sets nothing.
    def filled(value: object) -> str:
        text = re.sub(r"\$\{[A-Z0-9_]+:\?[^}]*\}", "example.test", str(value))
        return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", text)

    return {k: filled(v) for k, v in env.items()}


def _app_paths() -> set[str]:
    app = create_app(Settings(mongodb_uri="mongodb://unused.invalid:1"))
    return {route.path for route in app.routes if isinstance(route, Route)}


def _seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return float(match.group(1))


def test_every_compose_variable_is_a_valid_crowdhire_setting() -> None:
    for service in APP_SERVICES:
        env = _environment(service)
        unknown = {name for name in env if name.lower() not in Settings.model_fields}
        assert not unknown, f"{service} sets variables crowdhire does not read: {unknown}"
        settings = Settings.model_validate({name.lower(): value for name, value in env.items()})
        assert settings.crowdhire_env == "production"
        assert settings.memcached_url and settings.mongodb_uri


def test_dockerfile_defaults_are_settings_too() -> None:
    defaults = dict(re.findall(r"^\s+([A-Z][A-Z0-9_]*)=(\S+?)(?: \\)?$", DOCKERFILE, re.M))
    crowdhire_names = {k for k in defaults if k not in {"PATH", "PYTHONUNBUFFERED"}}
    assert crowdhire_names >= {"CROWDHIRE_ENV", "HOST", "PORT", "LOG_FORMAT"}
    assert {name.lower() for name in crowdhire_names} <= set(Settings.model_fields)


def test_ports_and_health_paths_match_the_app() -> None:
    paths = _app_paths()
    port = _environment("crowdhire1")["PORT"]

    assert {"/healthz", "/readyz", "/metrics", "/graphql"} <= paths
    healthcheck = DOCKERFILE.split("\nHEALTHCHECK ", 1)[1].split("\n# ", 1)[0]
    assert "/healthz" in healthcheck and "PORT" in healthcheck
    assert f"EXPOSE {port}" in DOCKERFILE
    assert f"PORT={port}" in DOCKERFILE
    upstreams = re.findall(r"server (\S+):(\d+)", NGINX)
    assert sorted(upstreams) == [(name, port) for name in APP_SERVICES]
    assert all(name in SERVICES for name, _ in upstreams)
    assert "location = /metrics { return 404; }" in NGINX  # metrics stay internal
    assert "X-Request-ID" in NGINX and "X-Forwarded-For" in NGINX
    nginx_port = SERVICES["nginx"]["ports"][0].split(":")[-1]
    assert f"listen {nginx_port};" in NGINX


def test_memcached_goes_through_twemproxy_to_both_memcached() -> None:
    pool = TWEMPROXY["crowdhire"]
    listen_port = pool["listen"].rsplit(":", 1)[1]

    assert _environment("crowdhire1")["MEMCACHED_URL"] == f"twemproxy:{listen_port}"
    servers = [entry.rsplit(":", 1)[0] for entry in pool["servers"]]
    assert servers == ["memcached1:11211", "memcached2:11211"]
    for name in ("memcached1", "memcached2"):
        assert "11211" in SERVICES[name]["command"]
    assert pool["distribution"] == "ketama"
    if shutil.which("nutcracker"):  # Debian's nutcracker validates its own config
        checked = subprocess.run(
            ["nutcracker", "-t", "-c", str(ROOT / "deploy/twemproxy/nutcracker.yml")],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stderr


def test_mongodb_is_a_three_member_replica_set_initiated_once() -> None:
    uri = _environment("crowdhire1")["MONGODB_URI"]
    hosts = re.match(r"mongodb://([^/]+)/\?replicaSet=(\w+)$", uri)
    script = (ROOT / "deploy/mongo/init-replica-set.js").read_text()

    assert hosts, uri
    members = hosts.group(1).split(",")
    assert members == ["mongo1:27017", "mongo2:27017", "mongo3:27017"]
    for member in members:
        service = SERVICES[member.split(":")[0]]
        assert service["image"].startswith("mongo:")
        assert service["command"][service["command"].index("--replSet") + 1] == hosts.group(2)
        assert f'host: "{member}"' in script
    assert f'_id: "{hosts.group(2)}"' in script
    initiator = SERVICES["mongo-init"]
    assert initiator["restart"] == "no"
    assert initiator["image"].startswith("mongo:")
    assert "/init-replica-set.js" in " ".join(initiator["command"])
    for service in APP_SERVICES:
        condition = SERVICES[service]["depends_on"]["mongo-init"]["condition"]
        assert condition == "service_completed_successfully"


def test_containers_stop_gracefully_and_run_unprivileged() -> None:
    for service in APP_SERVICES:
        grace = _seconds(SERVICES[service]["stop_grace_period"])
        timeout = int(_environment(service)["SHUTDOWN_TIMEOUT_SECONDS"])
        assert grace > timeout
    stages = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert len(stages) == 2 and all("slim" in image for image in stages)
    runtime = DOCKERFILE.split("\nFROM ", 2)[2]
    assert re.search(r"^USER crowdhire$", runtime, re.M)
    # dependencies are installed before the source is copied (a cached layer)
    assert DOCKERFILE.index("pip install .") < DOCKERFILE.index("COPY crowdhire ./crowdhire")
    assert 'CMD ["crowdhire", "serve"]' in DOCKERFILE
