"""A real localstripe child process for tests and `make run` (dev only, never production)."""

from __future__ import annotations

import secrets
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from pydantic import SecretStr

from crowdhire.dev.servers import HOST, START_TIMEOUT, _ChildServer
from crowdhire.settings import Settings


def find_localstripe() -> str | None:
    """The `localstripe` executable next to this Python, else on PATH, else None."""
    beside = Path(sys.executable).with_name("localstripe")
    if beside.exists():
        return str(beside)
    return shutil.which("localstripe")


class LocalStripeServer(_ChildServer):
    """localstripe on a free port, started from scratch (its own store, nothing loaded)."""

    def __init__(self, port: int | None = None) -> None:
        super().__init__(port)
        executable = find_localstripe()
        if executable is None:
            raise RuntimeError("localstripe is not installed: pip install localstripe")
        self._executable = executable

    def _argv(self, port: int) -> list[str]:
        return [self._executable, "--port", str(port), "--from-scratch"]

    def _wait_ready(self, port: int) -> None:
        def answers() -> bool:
            with socket.create_connection((HOST, port), timeout=1):
                pass
            try:
                return httpx.get(f"{self.url}/js.stripe.com/v3/", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        self._wait_for("answer", answers, time.monotonic() + START_TIMEOUT)

    @property
    def url(self) -> str:
        """The API base to give `StripeClient(base_addresses={"api": ...})`."""
        return f"http://{self.address}"

    def register_webhook(self, endpoint_id: str, url: str, secret: str) -> None:
        """Make localstripe POST signed events to `url` (localstripe's own config API)."""
        response = httpx.post(
            f"{self.url}/_config/webhooks/{endpoint_id}",
            data={"url": url, "secret": secret},
            timeout=5,
        )
        response.raise_for_status()


@contextmanager
def dev_stripe(settings: Settings) -> Iterator[Settings]:
    """`make run` in dev without STRIPE_API_BASE: a localstripe with its webhook pointed at us."""
    wanted = settings.is_dev and "stripe_api_base" not in settings.model_fields_set
    if not wanted or find_localstripe() is None:
        yield settings
        return
    server = LocalStripeServer()
    print("crowdhire: starting localstripe for payments…", flush=True)
    server.start()
    secret = settings.stripe_webhook_secret or SecretStr(f"whsec_dev_{secrets.token_hex(16)}")
    updated = settings.model_copy(
        update={
            "stripe_api_base": server.url,
            "stripe_api_key": settings.stripe_api_key or SecretStr("sk_test_localstripe_dev"),
            "stripe_webhook_secret": secret,
        }
    )
    webhook = f"http://127.0.0.1:{settings.port}/webhooks/stripe"
    try:
        server.register_webhook("crowdhire-dev", webhook, updated.stripe_webhook_secrets[0])
        yield updated
    finally:
        print("crowdhire: stopping localstripe", flush=True)
        server.stop()
