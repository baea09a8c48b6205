"""Bearer token verification with python-jose, hardened.

Only RS256 (pinned); `exp`, `iss` and `aud` required and checked; `nbf` honoured; an `iat` in
the future beyond the leeway, a `crit` header, or a malformed `permissions` claim are refused.
`jku`, `x5u`, `jwk` and `x5c` headers are never read: keys come from the cached key set only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from jose import jwt
from jose.exceptions import ExpiredSignatureError, JWTClaimsError, JWTError

from crowdhire.auth.verified import VerifiedTokens

ALGORITHM = "RS256"
MAX_TOKEN_LENGTH = 8192
MAX_KID_LENGTH = 256


class InvalidTokenError(Exception):
    """The bearer token cannot be trusted; `reason` is short and safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeySet(Protocol):
    """Where verification keys come from."""

    async def key_for(self, kid: str) -> dict[str, Any] | None:
        """The JWK with this id, or None."""


@dataclass(frozen=True)
class Claims:
    """What crowdhire uses from a verified token."""

    sub: str
    permissions: frozenset[str]
    # `exp` as a Unix time: a WebSocket authenticated by this token closes then
    expires_at: float | None = None


class TokenVerifier:
    """Verifies RS256 bearer tokens against one issuer, audience and key set."""

    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        leeway: int,
        remember_seconds: float = 0,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        # crowdhire.auth.verified says what remembering a verified token changes
        self._verified = VerifiedTokens(remember_seconds, leeway) if remember_seconds else None

    async def verify(self, token: str) -> Claims:
        """The claims of a valid token; InvalidTokenError with a short reason otherwise."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidTokenError("token too large")
        if self._verified is not None:
            known = self._verified.get(token)
            if known is not None:
                return known
        claims = await self._verify(token)
        if self._verified is not None:
            self._verified.remember(token, claims)
        return claims

    async def _verify(self, token: str) -> Claims:
        kid = self._checked_header(token)
        key = await self._keys.key_for(kid)
        if key is None:
            raise InvalidTokenError("unknown signing key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require_exp": True,
                    "require_iss": True,
                    "require_aud": True,
                    "require_sub": True,
                    "verify_at_hash": False,
                    "leeway": self._leeway,
                },
            )
        except ExpiredSignatureError as error:
            raise InvalidTokenError("token expired") from error
        except JWTClaimsError as error:
            raise InvalidTokenError(_claims_reason(error)) from error
        except JWTError as error:
            missing = _missing_claim(error)
            reason = f"missing {missing} claim" if missing else "bad signature or malformed token"
            raise InvalidTokenError(reason) from error
        return self._checked_claims(claims)

    def _checked_header(self, token: str) -> str:
        try:
            header = jwt.get_unverified_header(token)
        except JWTError as error:
            raise InvalidTokenError("malformed token") from error
        if header.get("alg") != ALGORITHM:
            raise InvalidTokenError("algorithm not allowed")
        if "crit" in header:
            raise InvalidTokenError("critical header extensions are not supported")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
            raise InvalidTokenError("missing or invalid key id")
        return kid

    def _checked_claims(self, claims: dict[str, Any]) -> Claims:
        iat = claims.get("iat")
        if iat is not None and (
            not isinstance(iat, int | float) or iat > time.time() + self._leeway
        ):
            raise InvalidTokenError("token issued in the future")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub or len(sub) > 256:
            raise InvalidTokenError("invalid subject")
        permissions = claims.get("permissions", [])
        if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
            raise InvalidTokenError("permissions claim must be an array of strings")
        exp = claims.get("exp")
        expires_at = float(exp) if isinstance(exp, int | float) else None
        return Claims(sub=sub, permissions=frozenset(permissions), expires_at=expires_at)


def _claims_reason(error: JWTClaimsError) -> str:
    text = str(error).lower()
    for word, reason in (
        ("audience", "invalid audience"),
        ("issuer", "invalid issuer"),
        ("not yet valid", "token not yet valid"),
        ("nbf", "token not yet valid"),
        ("sub", "invalid subject"),
    ):
        if word in text:
            return reason
    return "invalid claims"


def _missing_claim(error: JWTError) -> str | None:
    text = str(error)
    if "missing required key" not in text:
        return None
    for claim in ("exp", "iss", "aud", "sub"):
        if f'"{claim}"' in text:
            return claim
    return "required"
