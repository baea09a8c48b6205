"""Bearer token verification: every attack answers 401 before any resolver runs."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest

from tests.auth_support import AUDIENCE, Issuer, JwksServer, SigningKey, claims_for, sign
from tests.conftest import AppFactory
from tests.factories import make_company, make_job, make_recruiter
from tests.support import CommandCounter, post_graphql

WHO = "{ jobs { totalCount } }"
PRIVATE = "{ candidates { totalCount } }"


def _assert_rejected(response: httpx.Response, reason: str | None = None) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    if reason is not None:
        assert reason in body["errors"][0]["message"]


def _part(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _forge(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return ".".join([_part(header), _part(claims), _part(signature)])


def _hs256(kid: str, claims: dict[str, Any], secret: bytes) -> str:
    """The classic confusion attack: HMAC-signed with the RSA public key as the secret."""
    signing_input = f"{_part({'alg': 'HS256', 'kid': kid})}.{_part(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_part(mac)}"


@pytest.fixture
async def job_world(app: Any) -> None:
    """One open job so a successful query has something to count."""
    await make_job(await make_company())


async def test_valid_token_is_accepted_and_no_token_is_anonymous(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, job_world: None
) -> None:
    signed_in = await post_graphql(anonymous_client, WHO, as_=issuer.token("auth0|someone"))
    anonymous = await post_graphql(anonymous_client, WHO)

    assert signed_in.status_code == 200
    assert signed_in.json()["data"] == {"jobs": {"totalCount": 1}}
    assert anonymous.json()["data"] == {"jobs": {"totalCount": 1}}
    private = await post_graphql(anonymous_client, PRIVATE)
    assert private.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer garbage", "Basic dXNlcjpwdw==", "Bearer a.b.c", "Bearer x y", "bearer  "],
)
async def test_malformed_authorization_headers_are_rejected(
    anonymous_client: httpx.AsyncClient, mongo_commands: CommandCounter, authorization: str
) -> None:
    mongo_commands.reset()

    response = await anonymous_client.post(
        "/graphql", json={"query": WHO}, headers={"Authorization": authorization}
    )

    _assert_rejected(response)
    assert mongo_commands.count == 0  # no resolver ran


async def test_two_authorization_headers_are_rejected(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    token = issuer.token("auth0|a")
    headers = [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")]

    response = await anonymous_client.post("/graphql", json={"query": WHO}, headers=headers)

    _assert_rejected(response, "exactly one")


async def test_token_in_query_string_or_cookie_is_ignored(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, job_world: None
) -> None:
    admin = issuer.admin_token()

    by_query = await anonymous_client.post(
        f"/graphql?access_token={admin}", json={"query": PRIVATE}
    )
    anonymous_client.cookies.update({"access_token": admin, "token": admin})
    by_cookie = await anonymous_client.post("/graphql", json={"query": PRIVATE})

    for response in (by_query, by_cookie):
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def _attacks(issuer: Issuer, other: SigningKey) -> dict[str, tuple[str, str]]:
    base = claims_for(issuer.server.issuer, "auth0|attacker", permissions=["admin:all"])
    now = int(time.time())
    key = issuer.key
    attacks = {
        "alg none": (_forge({"alg": "none", "kid": key.kid}, base), "algorithm"),
        "HS256 with the public PEM": (_hs256(key.kid, base, key.public_pem), "algorithm"),
        "HS256 with the public DER": (_hs256(key.kid, base, key.public_der), "algorithm"),
        "another key, real kid": (sign(other, base, headers={"kid": key.kid}), "signature"),
        "crit header": (sign(key, base, headers={"crit": ["exp"]}), "critical"),
        "expired beyond leeway": (sign(key, {**base, "exp": now - 120}), "expired"),
        "missing exp": (sign(key, claims_for(issuer.server.issuer, "x", exp=None)), "exp"),
        "nbf in the future": (sign(key, {**base, "nbf": now + 3600}), "not yet valid"),
        "iat an hour ahead": (sign(key, {**base, "iat": now + 3600}), "future"),
        "missing aud": (sign(key, claims_for(issuer.server.issuer, "x", aud=None)), "aud"),
        "wrong aud": (sign(key, {**base, "aud": "https://other.api"}), "audience"),
        "aud array without ours": (sign(key, {**base, "aud": ["a", "b"]}), "audience"),
        "wrong iss": (sign(key, {**base, "iss": "https://evil.example/"}), "issuer"),
        "missing iss": (sign(key, claims_for(issuer.server.issuer, "x", iss=None)), "iss"),
        "iss without trailing slash": (
            sign(key, {**base, "iss": issuer.server.issuer.rstrip("/")}),
            "issuer",
        ),
        "permissions as a string": (sign(key, {**base, "permissions": "admin:all"}), "array"),
        "64 KB header": (sign(key, base, headers={"pad": "x" * 65536}), "too large"),
    }
    for name, kid in {
        "kid path": "../../etc/passwd",
        "kid sql": "' OR 1=1 --",
        "kid 10 KB": "k" * 10_240,
        "kid of an EC key": "ec-key-1",
    }.items():
        attacks[name] = (sign(key, base, headers={"kid": kid}), "")
    remote_key_headers: dict[str, dict[str, Any]] = {
        "jku elsewhere": {"jku": "http://127.0.0.1:1/jwks.json", "kid": other.kid},
        "x5u elsewhere": {"x5u": "http://127.0.0.1:1/cert.pem", "kid": other.kid},
        "embedded jwk": {"jwk": other.jwk(), "kid": other.kid},
    }
    for name, header in remote_key_headers.items():
        attacks[name] = (sign(other, base, headers=header), "")
    return attacks


async def test_every_attack_is_rejected_without_running_a_resolver(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, mongo_commands: CommandCounter
) -> None:
    other = SigningKey("attacker-key")
    for name, (token, reason) in _attacks(issuer, other).items():
        mongo_commands.reset()

        response = await post_graphql(anonymous_client, WHO, as_=token)

        assert response.status_code == 401, name
        _assert_rejected(response, reason or None)
        assert mongo_commands.count == 0, name


async def test_leeway_accepts_just_expired_and_aud_arrays(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, job_world: None
) -> None:
    now = int(time.time())
    inside = issuer.token("auth0|a", exp=now - 5)
    with_array = issuer.token("auth0|a", aud=["https://other.api", AUDIENCE])

    for token in (inside, with_array):
        response = await post_graphql(anonymous_client, WHO, as_=token)
        assert response.status_code == 200, response.text


async def test_rotation_refetches_once_then_accepts(
    app_factory: AppFactory, jwks_server: JwksServer, issuer: Issuer
) -> None:
    async with app_factory(jwks_refetch_seconds=0) as (_, client):
        assert (await post_graphql(client, WHO, as_=issuer.token("auth0|a"))).status_code == 200
        rotated = SigningKey("rotated-key")
        jwks_server.keys.append(rotated)
        try:
            before = jwks_server.fetches
            token = sign(rotated, claims_for(jwks_server.issuer, "auth0|b"))

            response = await post_graphql(client, WHO, as_=token)

            assert response.status_code == 200
            assert jwks_server.fetches == before + 1
        finally:
            jwks_server.keys.remove(rotated)


async def test_unknown_kid_storm_refetches_at_most_once(
    app_factory: AppFactory, jwks_server: JwksServer, issuer: Issuer
) -> None:
    async with app_factory(jwks_refetch_seconds=30) as (_, client):
        assert (await post_graphql(client, WHO, as_=issuer.token("auth0|warm"))).status_code == 200
        before = jwks_server.fetches
        stranger = SigningKey("never-published")
        token = sign(stranger, claims_for(jwks_server.issuer, "auth0|storm"))

        responses = []
        for _ in range(10):
            batch = [post_graphql(client, WHO, as_=token) for _ in range(100)]
            responses += await asyncio.gather(*batch)

        assert {r.status_code for r in responses} == {401}
        assert jwks_server.fetches - before <= 1


async def test_jwks_down_keeps_cached_keys_and_cold_start_fails_fast(
    app_factory: AppFactory, jwks_server: JwksServer, issuer: Issuer
) -> None:
    async with app_factory(jwks_refetch_seconds=0, jwks_cache_seconds=1) as (_, client):
        assert (await post_graphql(client, WHO, as_=issuer.token("auth0|a"))).status_code == 200
        jwks_server.down = True
        try:
            await asyncio.sleep(1.1)  # cached keys are now stale; refetch fails
            still = await post_graphql(client, WHO, as_=issuer.token("auth0|a"))
        finally:
            jwks_server.down = False
    assert still.status_code == 200

    jwks_server.down = True
    try:
        async with app_factory() as (_, cold):
            response = await asyncio.wait_for(
                post_graphql(cold, WHO, as_=issuer.token("auth0|a")), 10
            )
    finally:
        jwks_server.down = False
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "AUTH_UNAVAILABLE"


async def test_signed_in_recruiter_is_recognised_from_our_data(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    recruiter = await make_recruiter(sub="auth0|known-recruiter")
    query = "{ recruiters { nodes { displayName email } } }"

    response = await post_graphql(
        anonymous_client, query, as_=issuer.token("auth0|known-recruiter")
    )

    assert response.json()["data"]["recruiters"]["nodes"] == [
        {"displayName": recruiter.display_name, "email": recruiter.email}
    ]
