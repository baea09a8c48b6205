"""A verified token is remembered, never past its expiry, and only the exact token."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from crowdhire.auth.jwks import StaticKeySet
from crowdhire.auth.tokens import InvalidTokenError, TokenVerifier
from tests.auth_support import AUDIENCE, SigningKey, claims_for, sign

ISSUER = "https://issuer.crowdhire.test/"
KEY = SigningKey("remembered-key")


class CountedKeys(StaticKeySet):
    """The real static key set, counting the lookups a verification makes."""

    def __init__(self) -> None:
        super().__init__({KEY.kid: KEY.jwk()})
        self.lookups = 0

    async def key_for(self, kid: str) -> dict[str, Any] | None:
        self.lookups += 1
        return await super().key_for(kid)


def verifier(keys: CountedKeys, remember: float, leeway: int = 0) -> TokenVerifier:
    return TokenVerifier(
        keys, issuer=ISSUER, audience=AUDIENCE, leeway=leeway, remember_seconds=remember
    )


async def test_a_verified_token_is_not_verified_again() -> None:
    keys = CountedKeys()
    check = verifier(keys, remember=60)
    token = sign(KEY, claims_for(ISSUER, "auth0|a", permissions=["admin:all"]))
    first, second = await check.verify(token), await check.verify(token)
    assert first == second and first.sub == "auth0|a"
    assert second.permissions == frozenset({"admin:all"})
    assert keys.lookups == 1
    # another token of the same person is its own entry
    await check.verify(sign(KEY, claims_for(ISSUER, "auth0|a", iat=int(time.time()) - 1)))
    assert keys.lookups == 2


async def test_zero_seconds_verifies_every_time() -> None:
    keys = CountedKeys()
    check = verifier(keys, remember=0)
    token = sign(KEY, claims_for(ISSUER, "auth0|a"))
    await check.verify(token)
    await check.verify(token)
    assert keys.lookups == 2


async def test_a_remembered_token_still_expires_on_time() -> None:
    check = verifier(CountedKeys(), remember=600)
    token = sign(KEY, claims_for(ISSUER, "auth0|a", exp=int(time.time()) + 2))
    await check.verify(token)
    await asyncio.sleep(max(0.0, (int(time.time()) + 2) - time.time()) + 1.1)
    with pytest.raises(InvalidTokenError, match="expired"):
        await check.verify(token)


async def test_a_changed_signature_is_refused_after_the_real_token_was_remembered() -> None:
    check = verifier(CountedKeys(), remember=60)
    token = sign(KEY, claims_for(ISSUER, "auth0|a"))
    await check.verify(token)
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(InvalidTokenError):
        await check.verify(tampered)
    other = SigningKey("remembered-key")  # same kid, another key: an attacker's signature
    with pytest.raises(InvalidTokenError):
        await check.verify(sign(other, claims_for(ISSUER, "auth0|a")))
