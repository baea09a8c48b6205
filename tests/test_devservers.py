"""The real mongod and memcached child processes that the rest of the suite runs against."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pymongo
import pytest

from crowdhire.dev import servers
from crowdhire.dev.servers import MemcachedServer, MongodServer, find_mongod, free_port


def _client(uri: str) -> pymongo.MongoClient[dict[str, Any]]:
    return pymongo.MongoClient(uri, serverSelectionTimeoutMS=10_000)


def _memcached(sock: socket.socket, command: bytes, end: bytes) -> bytes:
    """Send one memcached text command and read until the reply ends with `end`."""
    sock.sendall(command)
    reply = b""
    while not reply.endswith(end):
        chunk = sock.recv(4096)
        assert chunk, f"connection closed after {reply!r}"
        reply += chunk
    return reply


@contextmanager
def _port_held(port: int) -> Iterator[None]:
    """Occupy `port` with a listener that hangs up on every connection, as another program would."""
    listener = socket.create_server(("127.0.0.1", port))
    listener.settimeout(0.1)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        listener.close()


def test_find_mongod_returns_the_binary() -> None:
    assert Path(find_mongod()).name == "mongod"


def test_mongod_is_a_writable_primary_with_transactions(mongodb_uri: str) -> None:
    with _client(mongodb_uri) as client:
        hello = client.admin.command("hello")
        assert hello["isWritablePrimary"] is True
        assert hello["setName"]
        db = client[f"devservers_{uuid.uuid4().hex[:8]}"]
        try:
            db.create_collection("orders")
            db.create_collection("payments")
            with client.start_session() as session, session.start_transaction():
                db.orders.insert_one({"_id": 1, "total": 10}, session=session)
                db.payments.insert_one({"order": 1, "amount": 10}, session=session)
            assert db.orders.count_documents({}) == 1
            assert db.payments.count_documents({"order": 1}) == 1

            with (
                client.start_session() as session,
                pytest.raises(RuntimeError, match="abort"),
                session.start_transaction(),  # left first: the raise aborts the transaction
            ):
                db.orders.insert_one({"_id": 2}, session=session)
                raise RuntimeError("abort")
            assert db.orders.count_documents({"_id": 2}) == 0
        finally:
            client.drop_database(db.name)


def test_mongod_restarts_on_its_dbpath_after_stop_and_crash(tmp_path: Path) -> None:
    server = MongodServer(tmp_path / "db")
    with server:
        first_port = server.port
        with _client(server.uri) as client:
            client.app.things.insert_one({"_id": "before stop"})
    assert not server.running
    server.stop()  # idempotent

    with server:
        assert server.port == first_port  # remembered in the dbpath and still free
        with _client(server.uri) as client:
            assert client.app.things.find_one({"_id": "before stop"})
            client.app.things.insert_one({"_id": "before crash"})
        server.kill()  # leaves a stale mongod.lock behind
        assert not server.running
        server.start()
        with _client(server.uri) as client:
            assert client.app.things.count_documents({}) == 2


def test_mongod_restarts_on_a_new_port_when_its_old_one_is_taken(tmp_path: Path) -> None:
    server = MongodServer(tmp_path / "db")
    with server, _client(server.uri) as client:
        client.app.things.insert_one({"_id": "old port"})
    old_port = server.port
    assert old_port is not None

    with _port_held(old_port), server:
        assert server.port != old_port
        assert server.uri.endswith(f":{server.port}/?replicaSet=rs0")
        with _client(server.uri) as client:
            assert client.admin.command("hello")["isWritablePrimary"] is True
            assert client.app.things.find_one({"_id": "old port"})
            client.app.things.insert_one({"_id": "new port"})

    explicit = free_port()
    with MongodServer(tmp_path / "db", port=explicit) as again, _client(again.uri) as client:
        assert again.port == explicit
        assert client.app.things.count_documents({}) == 2


def test_memcached_set_and_get_over_a_raw_socket(memcached_address: str) -> None:
    host, port = memcached_address.rsplit(":", 1)
    key = f"devservers-{uuid.uuid4().hex}".encode()
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        assert _memcached(sock, b"set " + key + b" 0 60 5\r\nhello\r\n", b"\r\n") == b"STORED\r\n"
        reply = _memcached(sock, b"get " + key + b"\r\n", b"END\r\n")
        assert reply == b"VALUE " + key + b" 0 5\r\nhello\r\nEND\r\n"


def test_memcached_stop_closes_the_port() -> None:
    server = MemcachedServer(memory_mb=8)
    host, port = server.start().rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        assert _memcached(sock, b"version\r\n", b"\r\n").startswith(b"VERSION ")
    server.stop()
    server.stop()  # idempotent
    assert not server.running
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=5).close()


def test_memcached_pause_makes_a_get_hang_until_resume() -> None:
    with MemcachedServer(memory_mb=8) as server:
        host, port = server.address.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            assert _memcached(sock, b"set k 0 60 1\r\nv\r\n", b"\r\n") == b"STORED\r\n"
            server.pause()
            try:
                sock.settimeout(0.5)
                with pytest.raises(TimeoutError):
                    _memcached(sock, b"get k\r\n", b"END\r\n")
            finally:
                server.resume()
            sock.settimeout(5)
            assert _memcached(sock, b"", b"END\r\n") == b"VALUE k 0 1\r\nv\r\nEND\r\n"
        server.pause()  # stop() must also end a paused server
    assert not server.running


def test_a_port_another_memcached_took_first_is_not_mistaken_for_ours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with MemcachedServer(memory_mb=8) as other:
        taken = iter([other.port])  # the port check passed, then another process bound it
        monkeypatch.setattr(servers, "free_port", lambda: next(taken, None) or free_port())
        with MemcachedServer(memory_mb=8) as ours:
            assert ours.port != other.port
            host, port = ours.address.rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=5) as sock:
                assert _memcached(sock, b"set k 0 60 1\r\nv\r\n", b"\r\n") == b"STORED\r\n"
        assert other.running
