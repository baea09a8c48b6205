"""`crowdhire cluster`: the real deployment on loopback, and short versions of the four drills.

One cluster (3 mongod, 2 memcached + nutcracker, 3 app instances, nginx) for the module; the
drills run in order against it (drill 5: backups and point-in-time restore). About 4 minutes on
2 cores; `make drills` runs the long ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crowdhire.dev.cluster import backups, drills, probes, restore_drill, subscription_drill
from crowdhire.dev.cluster.control import Cluster

SCALE = 0.2
acknowledged: dict[str, str] = {}  # writes the drills saw succeed, checked again by drill 4


# A short max-age, so the cache test sees a write arrive without waiting half a minute.
PUBLIC_MAX_AGE = 3


def _cli(*args: str, root: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "crowdhire.cli", "cluster", *args, "--dir", str(root)]
    env = {**os.environ, "PUBLIC_CACHE_MAX_AGE_SECONDS": str(PUBLIC_MAX_AGE)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, env=env
    )


# The cluster outlives `cluster up` by design; should pytest itself be killed (a CI timeout), this
# watchdog takes it down so no mongod, memcached, app or nginx is left behind on a shared machine.
WATCHDOG = """
import os, sys, time
from crowdhire.dev.cluster.control import Cluster
while os.path.exists(f"/proc/{sys.argv[1]}"):
    time.sleep(1)
Cluster(sys.argv[2]).down()
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A cluster started by `crowdhire cluster up` (it outlives that command), downed at the end."""
    root = tmp_path_factory.mktemp("cluster")
    watchdog = subprocess.Popen(
        [sys.executable, "-c", WATCHDOG, str(os.getpid()), str(root)], start_new_session=True
    )
    up = _cli("up", "--scale", str(SCALE), root=root)
    started = Cluster(root)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield started
    finally:
        started.down()
        watchdog.kill()
        watchdog.wait()


def test_status_shows_every_process_and_the_replica_set_roles(cluster: Cluster) -> None:
    status = _cli("status", root=cluster.layout.root)
    assert status.returncode == 0, status.stdout
    lines = {line.split()[0]: line.split() for line in status.stdout.splitlines()[1:]}
    expected = ["mongod1", "mongod2", "mongod3", "memcached1", "memcached2", "nutcracker",
                "app1", "app2", "app3", "nginx", "backup"]  # fmt: skip
    assert sorted(lines) == sorted(expected)
    assert all(lines[name][1] == "alive" for name in expected)
    roles = sorted(lines[f"mongod{i}"][4] for i in (1, 2, 3))
    assert roles == ["PRIMARY", "SECONDARY", "SECONDARY"]


def test_a_dev_token_from_the_shared_data_dir_works_through_nginx(cluster: Cluster) -> None:
    env = {**os.environ, "CROWDHIRE_ENV": "dev", "DATA_DIR": str(cluster.layout.app_data)}
    command = [sys.executable, "-m", "crowdhire.cli", "token", "--as", "admin"]
    token = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    upstreams = set()
    for _ in range(6):
        response = httpx.post(
            cluster.url,
            json={"query": "{ jobs(first: 2) { nodes { title company { name } } } }"},
            headers={"Authorization": f"Bearer {token.strip()}"},
            timeout=30,
            verify=cluster.verify,
        )
        assert response.status_code == 200
        assert len(response.json()["data"]["jobs"]["nodes"]) == 2
        upstreams.add(response.headers["x-upstream"])
    assert len(upstreams) >= 2  # nginx spreads requests over the instances


def test_the_cost_budget_is_shared_by_the_instances(cluster: Cluster) -> None:
    shared, detail = probes.shared_budget(cluster)
    assert shared, detail


PUBLIC_BOARD = "query PublicBoard { jobs(first: 5) { nodes { id title } } }"


def _board_requests_seen_by_apps(cluster: Cluster) -> float:
    """How many PublicBoard requests the app instances served, from their own /metrics."""
    total = 0.0
    for port in cluster.ports.apps:
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        for line in metrics.splitlines():
            if line.startswith("crowdhire_request_duration_seconds_count") and (
                'operation="PublicBoard"' in line
            ):
                total += float(line.rsplit(" ", 1)[1])
    return total


def test_nginx_answers_repeated_public_gets_and_a_job_write_shows_within_max_age(
    cluster: Cluster,
) -> None:
    sha256 = hashlib.sha256(PUBLIC_BOARD.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256}}
    https = httpx.Client(verify=cluster.verify, timeout=30)
    registered = https.post(cluster.url, json={"query": PUBLIC_BOARD, "extensions": extensions})
    assert registered.status_code == 200
    params = {"extensions": json.dumps(extensions)}
    accept = {"accept": "application/json"}

    first = https.get(cluster.url, params=params, headers=accept)
    seen = _board_requests_seen_by_apps(cluster)
    repeated = [https.get(cluster.url, params=params, headers=accept) for _ in range(3)]

    assert first.status_code == 200 and "public" in first.headers["cache-control"]
    assert [r.headers["x-cache-status"] for r in repeated] == ["HIT"] * 3
    assert all(r.json() == first.json() for r in repeated)
    assert _board_requests_seen_by_apps(cluster) == seen  # no app instance saw them

    env = {**os.environ, "CROWDHIRE_ENV": "dev", "DATA_DIR": str(cluster.layout.app_data)}
    command = [sys.executable, "-m", "crowdhire.cli", "token", "--as", "admin"]
    token = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    job = first.json()["data"]["jobs"]["nodes"][0]
    update = (
        "mutation($input: UpdateJobInput!) { updateJob(input: $input) { userErrors { code } } }"
    )
    new_title = f"Cached board check {time.time_ns()}"
    written = https.post(
        cluster.url,
        json={"query": update, "variables": {"input": {"jobId": job["id"], "title": new_title}}},
        headers={"Authorization": f"Bearer {token.strip()}"},
    )
    assert written.json()["data"]["updateJob"]["userErrors"] == []
    written_at = time.monotonic()
    while True:
        titles = [
            node["title"]
            for node in https.get(cluster.url, params=params, headers=accept).json()["data"][
                "jobs"
            ]["nodes"]
        ]
        if new_title in titles:
            break
        assert time.monotonic() - written_at < PUBLIC_MAX_AGE + 2, "the write never showed"
        time.sleep(0.25)


def test_nginx_terminates_tls_redirects_http_and_is_the_only_trusted_proxy(
    cluster: Cluster,
) -> None:
    plain = httpx.get(cluster.plain_url, params={"a": "1"}, timeout=10)
    secure = httpx.post(
        cluster.url, json={"query": "{ __typename }"}, verify=cluster.verify, timeout=10
    )
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(cluster.url, timeout=10)  # the system's CAs do not know the local CA
    # Starlette's slash redirect spells out the scheme the app believes the request came with.
    through_nginx = httpx.get(f"{cluster.url}/", verify=cluster.verify, timeout=10)
    direct = httpx.get(
        f"http://127.0.0.1:{cluster.ports.apps[0]}/graphql/",
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
    )

    assert plain.status_code == 308
    assert plain.headers["location"] == f"{cluster.url}?a=1"
    assert secure.status_code == 200 and secure.json()["data"] == {"__typename": "Query"}
    assert secure.headers["strict-transport-security"] == "max-age=31536000"
    assert through_nginx.headers["location"].startswith("https://")
    assert direct.headers["location"].startswith("http://")  # a spoofed header is ignored


async def test_a_subscription_through_nginx_hears_writes_made_through_nginx(
    cluster: Cluster,
) -> None:
    drill = await subscription_drill.run(cluster, step_down=False)
    assert len(drill.registered) == 3
    assert drill.heard == drill.registered  # in order, each once, whichever instance wrote it


async def test_a_subscription_survives_a_stepdown_of_the_primary(cluster: Cluster) -> None:
    drill = await subscription_drill.run(cluster, step_down=True)
    print(*drill.notes)
    assert len(drill.registered) == 6
    assert drill.heard == drill.registered  # none lost across the election, none twice


async def test_drill_1_killing_an_app_instance(cluster: Cluster) -> None:
    result = await drills.app_instance(cluster, drills.SHORT)
    print(result.line())
    figures = result.figures
    assert figures["during"] > 0 and figures["failed_during"] / figures["during"] < 0.01
    assert figures["failed_after"] == 0
    assert figures["rejoined"] > 0
    assert result.passed
    acknowledged.update(result.acknowledged)


async def test_drill_2_killing_a_memcached(cluster: Cluster) -> None:
    result = await drills.memcached_node(cluster, drills.SHORT)
    print(result.line())
    assert result.failures == 0
    assert result.figures["recovered"] == 1.0
    # Judged on the median since recovery, not on one second: a second holds only a few dozen
    # object-cache lookups (the response cache answers the rest), so one sample is noise.
    assert result.figures["last"] >= drills.RECOVERED_SHARE * result.figures["baseline"]
    assert result.figures["survivor_hits"] > 0
    assert result.passed
    acknowledged.update(result.acknowledged)


async def test_drill_3_kill_9_of_the_mongodb_primary(cluster: Cluster) -> None:
    result = await drills.mongodb_primary(cluster, drills.SHORT)
    print(result.line())
    assert result.recovery_seconds <= drills.WRITE_RESUME_LIMIT
    assert result.figures["acknowledged"] > 0
    assert result.figures["lost"] == 0
    assert result.figures["duplicated"] == 0
    assert result.figures["failed_reads_after"] == 0
    assert result.passed
    acknowledged.update(result.acknowledged)


async def test_drill_4_stop_everything_and_start_again(cluster: Cluster) -> None:
    def restart() -> None:
        up = _cli("up", root=cluster.layout.root)
        assert up.returncode == 0, up.stdout + up.stderr

    assert acknowledged, "the earlier drills acknowledged writes"
    result = await drills.restart_all(cluster, acknowledged, restart)
    print(result.line())
    assert result.figures["left"] == 0
    assert result.figures["changed"] == 0
    assert result.figures["missing"] == 0
    assert result.passed


async def test_drill_5_point_in_time_restore_across_a_kill_9_of_the_primary(
    cluster: Cluster,
) -> None:
    result = await restore_drill.point_in_time_restore(cluster, drills.SHORT)
    print(result.line())
    figures = result.figures
    assert figures["acknowledged_c"] > 0
    assert figures["equal_at_t"] == 1.0  # every document byte-equal to its state at T
    assert figures["missing_at_t"] == 0 and figures["c_in_t"] == 0
    assert figures["missing_latest"] == 0
    assert figures["equal_live"] == 1.0
    assert result.passed
    verify = _cli_backup("verify", str(backups.directory(cluster.layout)))
    assert verify.returncode == 0, verify.stdout


def _cli_backup(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "crowdhire.cli", "backup", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_down_stops_what_it_started_and_nothing_else(cluster: Cluster) -> None:
    pids = [row.pid for row in cluster.status() if row.pid]
    assert len(pids) == 11
    bystander = subprocess.Popen(["sleep", "120"])
    try:
        down = _cli("down", root=cluster.layout.root)
        assert down.returncode == 0
        assert all(row.pid is None for row in cluster.status())
        for pid in pids:
            assert not Path(f"/proc/{pid}").exists() or _zombie(pid)
        # A stale pid file naming someone else's process is ignored.
        cluster.get("app1").pid_file.write_text(f"{bystander.pid}\n")
        assert _cli("down", root=cluster.layout.root).returncode == 0
        assert bystander.poll() is None
    finally:
        bystander.send_signal(signal.SIGKILL)
        bystander.wait()


def _zombie(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z"
