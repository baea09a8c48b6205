"""Tokens already verified by this process, so a client's next request skips the RSA check.

A signed-in SPA sends the same bearer token with every request, and verifying it (RS256
signature, claims) was about 6 % of the server time of a small query such as a profile. A
token that verified once verifies the same way until it expires: the signature cannot change,
`nbf` and `iat` only ever get further behind, and `exp` is kept with the entry. So the claims
are remembered, under the SHA-256 of the token (a bounded entry size whatever the token's), for
at most `ttl` seconds and never past `exp` plus the leeway jose allows.

What the window changes: a signing key withdrawn from the issuer's key set keeps its tokens
accepted for up to `ttl` more seconds here (the key set itself is cached for
JWKS_CACHE_SECONDS, 600 by default, so the default 60 adds nothing to that). Only successful
verifications are kept; a refused token is checked again every time.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tokens.py makes the verifier that holds this cache
    from crowdhire.auth.tokens import Claims

MAX_ENTRIES = 4096
"""Tokens remembered at most: a process serves a few thousand signed-in clients a minute."""


class VerifiedTokens:
    """Claims by token digest, each with the wall-clock time it stops being good."""

    def __init__(self, ttl: float, leeway: float) -> None:
        self._ttl = ttl
        self._leeway = leeway
        self._entries: dict[bytes, tuple[Claims, float]] = {}

    @staticmethod
    def _digest(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> Claims | None:
        """The claims this token verified to, while that still holds."""
        digest = self._digest(token)
        entry = self._entries.get(digest)
        if entry is None:
            return None
        claims, good_until = entry
        if time.time() >= good_until:
            del self._entries[digest]
            return None
        return claims

    def remember(self, token: str, claims: Claims) -> None:
        """Keep a verified token's claims (the oldest entry goes when full)."""
        good_until = time.time() + self._ttl
        if claims.expires_at is not None:
            good_until = min(good_until, claims.expires_at + self._leeway)
        if len(self._entries) >= MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
        self._entries[self._digest(token)] = (claims, good_until)
