"""The signing keys of the token issuer: fetched asynchronously, cached, refetched sparingly.

A `kid` is only ever looked up in the cached set. An unknown `kid` triggers at most one refetch
per `refetch_seconds`, however many tokens carry it (concurrent callers share one fetch). When
the endpoint is down the cached keys keep working; a cold start fails within `timeout`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx

from crowdhire.observability.stats import observed_call

log = logging.getLogger("crowdhire.auth")

MAX_KEYS = 50


class KeySetUnavailableError(Exception):
    """No signing keys could be fetched and none are cached."""


class StaticKeySet:
    """A fixed key set (dev mode: the app is its own issuer)."""

    def __init__(self, keys: Mapping[str, dict[str, Any]]) -> None:
        self._keys = dict(keys)
        self.fetches = 0

    async def key_for(self, kid: str) -> dict[str, Any] | None:
        """The JWK with this id, if it is ours."""
        return self._keys.get(kid)


class JwksCache:
    """Keys from a JWKS URL, cached for `ttl` seconds."""

    def __init__(
        self,
        url: str,
        *,
        ttl: float = 600,
        refetch_seconds: float = 30,
        timeout: float = 2,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._ttl = ttl
        self._refetch_seconds = refetch_seconds
        self._client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key_for(self, kid: str) -> dict[str, Any] | None:
        """The JWK with this id, refetching when stale or unknown (rate-limited)."""
        if self._fresh() and kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if self._may_fetch(kid):
                await self._fetch()
        if not self._keys and self._fetched_at is None:
            raise KeySetUnavailableError("signing keys unavailable")
        return self._keys.get(kid)

    def _fresh(self) -> bool:
        return self._fetched_at is not None and time.monotonic() - self._fetched_at < self._ttl

    def _may_fetch(self, kid: str) -> bool:
        if self._fresh() and kid in self._keys:
            return False  # another caller fetched it while we waited
        if self._last_attempt is None:
            return True
        return time.monotonic() - self._last_attempt >= self._refetch_seconds

    async def _fetch(self) -> None:
        self._last_attempt = time.monotonic()
        self.fetches += 1
        try:
            with observed_call("jwks"):
                response = await self._client.get(self._url)
            response.raise_for_status()
            keys = _rsa_signing_keys(response.json())
        except (httpx.HTTPError, ValueError) as error:
            log.warning("JWKS fetch failed (%s); keeping %d cached keys", type(error).__name__,
                        len(self._keys))  # fmt: skip
            return
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def _rsa_signing_keys(document: Any) -> dict[str, dict[str, Any]]:
    """RSA signature keys with a `kid`, from a JWKS document; anything else is ignored."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str, dict[str, Any]] = {}
    for key in document["keys"][:MAX_KEYS]:
        if not isinstance(key, dict) or key.get("kty") != "RSA":
            continue
        if key.get("use", "sig") != "sig" or key.get("alg", "RS256") != "RS256":
            continue
        kid = key.get("kid")
        if isinstance(kid, str) and isinstance(key.get("n"), str) and isinstance(key.get("e"), str):
            keys[kid] = {k: key[k] for k in ("kty", "kid", "n", "e") if k in key}
    return keys
