"""One signed POST to a receiver, at the address the guard just approved.

Redirects are never followed (the spec asks for it, and a redirect is how a public URL points
at a private one). Of the answer only the status code is kept; the body is read up to
`MAX_EXCERPT_BYTES` and dropped, so a receiver can neither fill our memory nor our database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from crowdhire.models.webhooks import MAX_EXCERPT_BYTES
from crowdhire.resolvers.webhook_guard import CheckedTarget, UrlRefused, check_url
from crowdhire.settings import Settings
from crowdhire.webhooks.signing import signature_header

USER_AGENT = "crowdhire-webhooks/1"
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class AttemptResult:
    """What one attempt observed: a status code and latency, or why no answer came."""

    status_code: int | None
    latency_ms: float | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer (the only success the spec knows)."""
        return self.status_code is not None and 200 <= self.status_code < 300


def _pinned_url(target: CheckedTarget, address: str) -> httpx.URL:
    # The raw path as it is, never joined: joining "//10.0.0.1/x" would change the host.
    raw_path = target.path.encode()
    return httpx.URL(scheme=target.scheme, host=address, port=target.port, raw_path=raw_path)


def _host_header(target: CheckedTarget) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


async def _drain_bounded(response: httpx.Response) -> None:
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read >= MAX_EXCERPT_BYTES:
            break


def _failure(error: str, latency_ms: float | None = None, code: int | None = None) -> AttemptResult:
    return AttemptResult(status_code=code, latency_ms=latency_ms, error=error[:MAX_ERROR_CHARS])


async def post_signed(
    http: httpx.AsyncClient,
    settings: Settings,
    url: str,
    message_id: str,
    body: bytes,
    valid_secrets: list[str],
) -> AttemptResult:
    """Check the URL again, sign, POST once; never raises for the receiver's faults."""
    try:
        target = await check_url(url, settings)
    except UrlRefused as refused:
        return _failure(f"refused: {refused.message}")
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": _host_header(target),
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(valid_secrets, message_id, timestamp, body),
    }
    # Connect to the checked address; TLS still verifies the certificate for the host name.
    # The pool is keyed by address, not name: a TLS connection verified for one name must not
    # carry another name's webhook, so https connections are not kept alive.
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    if target.scheme == "https":
        headers["connection"] = "close"
    request = http.build_request(
        "POST", _pinned_url(target, target.addresses[0]), content=body, headers=headers,
        extensions=extensions, timeout=settings.webhook_timeout_seconds,
    )  # fmt: skip
    started = time.perf_counter()
    try:
        response = await http.send(request, stream=True, follow_redirects=False)
        try:
            await _drain_bounded(response)
        finally:
            await response.aclose()
    except httpx.TimeoutException:
        return _failure("timed out", (time.perf_counter() - started) * 1000)
    except httpx.HTTPError as error:
        return _failure(f"connection failed: {type(error).__name__}")
    latency_ms = (time.perf_counter() - started) * 1000
    code = response.status_code
    if 200 <= code < 300:
        return AttemptResult(status_code=code, latency_ms=latency_ms, error=None)
    if 300 <= code < 400:
        return _failure("redirects are not followed: update the endpoint's url", latency_ms, code)
    return _failure(f"HTTP {code}", latency_ms, code)
