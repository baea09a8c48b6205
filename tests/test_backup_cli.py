"""`crowdhire backup …` as a user runs it: what it prints, its exit status, what it refuses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymongo
import pytest

from crowdhire.backup.archive import Archive
from crowdhire.cli import main
from crowdhire.dev.servers import free_port
from tests.backup_support import raw_dump


@pytest.fixture
def source(mongodb_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A source database with a few documents, the CLI's environment pointing at it."""
    name = f"bkcli_{uuid.uuid4().hex[:10]}"
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongodb_uri)
    client[name].people.insert_many([{"n": i} for i in range(25)])
    before = set(client.list_database_names()) - {name}
    for variable, value in {"CROWDHIRE_ENV": "test", "MONGODB_URI": mongodb_uri,
                            "MONGODB_DB": name}.items():  # fmt: skip
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("BACKUP_ENCRYPTION_KEY", raising=False)
    try:
        yield name
    finally:
        for made in set(client.list_database_names()) - before:
            client.drop_database(made)
        client.close()


def _run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["backup", *argv])
    code = exited.value.code
    return code if isinstance(code, int) else 1


def _databases(uri: str) -> set[str]:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri)
    with client:
        return set(client.list_database_names())


def test_create_verify_and_restore_print_what_they_did(
    source: str, mongodb_uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("create", "--to", str(tmp_path)) == 0
    created = capsys.readouterr().out
    assert f"1 collections, 25 documents of {source}" in created
    assert _run("verify", str(tmp_path)) == 0
    assert "backup verify: OK" in capsys.readouterr().out
    assert _run("restore", "--from", str(tmp_path), "--at", "latest", "--into", f"{source}_r") == 0
    restored = capsys.readouterr().out
    assert f"restored {source}_r at latest" in restored and "25 documents" in restored
    assert "per 10,000 documents" in restored
    assert raw_dump(mongodb_uri, f"{source}_r") == raw_dump(mongodb_uri, source)


def test_bad_input_gets_a_clear_message_and_writes_nothing(
    source: str, mongodb_uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    Archive(empty).prepare()
    assert _run("create", "--to", str(tmp_path / "bk")) == 0
    capsys.readouterr()
    first = Archive(tmp_path / "bk").snapshots()[0].manifest.wall
    target = f"{source}_r"
    before = _databases(mongodb_uri)
    bk, tomorrow = str(tmp_path / "bk"), (datetime.now(UTC) + timedelta(days=1)).isoformat()
    cases = {
        ("--from", str(tmp_path / "nowhere"), "--at", "latest"): "no backup directory at",
        ("--from", str(empty), "--at", "latest"): "no snapshot in",
        ("--from", str(tmp_path / "bk"), "--at", (first - timedelta(hours=1)).isoformat()):
            "is before the first snapshot: the earliest time",
        ("--from", bk, "--at", tomorrow): "is in the future",
        ("--from", str(tmp_path / "bk"), "--at", "yesterday"): "is not a time",
        ("--from", str(tmp_path / "bk"), "--at", "2026-12-01T10:15:00"): "has no time zone",
        ("--from", bk, "--at", "latest", "--into", "bad.name"): "is not a valid database name",
        ("--from", str(tmp_path / "bk"), "--at", "latest", "--into", source):
            f"database {source} is not empty",
    }  # fmt: skip
    for args, message in cases.items():
        into = () if "--into" in args else ("--into", target)
        assert _run("restore", *args, *into) == 1, args
        assert message in capsys.readouterr().err, args
    assert _databases(mongodb_uri) == before  # nothing created, the source untouched
    file = next((tmp_path / "bk" / "snapshots").glob("*/people.bson.gz"))
    file.write_bytes(file.read_bytes()[:-3] + b"xyz")
    assert _run("restore", "--from", str(tmp_path / "bk"), "--at", "latest", "--into", target) == 1
    assert "collection people: people.bson.gz is corrupt" in capsys.readouterr().err
    assert _run("verify", str(tmp_path / "bk")) == 1
    assert "people is corrupt" in capsys.readouterr().out
    assert _databases(mongodb_uri) == before


def test_an_encrypted_backup_without_the_key_says_which_key_is_missing(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", os.urandom(32).hex())
    assert _run("create", "--to", str(tmp_path)) == 0
    assert "(encrypted)" in capsys.readouterr().out
    monkeypatch.delenv("BACKUP_ENCRYPTION_KEY")
    assert _run("restore", "--from", str(tmp_path), "--at", "latest", "--into", "x_r") == 1
    error = capsys.readouterr().err
    assert "this backup is encrypted (key id " in error and "set BACKUP_ENCRYPTION_KEY" in error
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", "not-a-key")
    with pytest.raises(SystemExit, match="BACKUP_ENCRYPTION_KEY must be 32 random bytes"):
        main(["backup", "verify", str(tmp_path)])


def test_follow_runs_until_sigterm_and_resumes(
    source: str, mongodb_uri: str, tmp_path: Path
) -> None:
    env = {**os.environ, "BACKUP_POLL_SECONDS": "0.1", "BACKUP_SEGMENT_SECONDS": "0.2"}
    command = [sys.executable, "-m", "crowdhire.cli", "backup", "follow", "--to", str(tmp_path)]
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongodb_uri)
    with client:
        for round_ in range(2):
            follower = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)  # fmt: skip
            client[source].people.insert_many([{"round": round_} for _ in range(10)])
            written = client.admin.command("replSetGetStatus")["optimes"]["lastCommittedOpTime"]
            _wait_covered(Archive(tmp_path), written["ts"], follower)
            follower.send_signal(signal.SIGTERM)
            output, _ = follower.communicate(timeout=30)
            assert follower.returncode == 0, output
            assert f"following {source} into {tmp_path}" in output
    assert "resuming the oplog archive" in output
    assert _run("restore", "--from", str(tmp_path), "--at", "latest", "--into", f"{source}_r") == 0
    assert raw_dump(mongodb_uri, f"{source}_r") == raw_dump(mongodb_uri, source)


def _wait_covered(archive: Archive, ts: Any, follower: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and follower.poll() is None:
        position = archive.position() if archive.position_file.exists() else None
        if position is not None and position.covered >= ts:
            return
        time.sleep(0.1)
    raise AssertionError(f"follower did not archive up to {ts} (exit {follower.poll()})")


def test_an_unreachable_mongodb_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CROWDHIRE_ENV", "test")
    monkeypatch.setenv("MONGODB_URI", f"mongodb://127.0.0.1:{free_port()}/?directConnection=true")
    monkeypatch.setenv("MONGODB_TIMEOUT_MS", "300")
    assert _run("create", "--to", str(tmp_path)) == 1
    error = capsys.readouterr().err
    assert "crowdhire backup: MongoDB failed: ServerSelectionTimeoutError" in error
    assert "Traceback" not in error
    assert not any(tmp_path.iterdir())
