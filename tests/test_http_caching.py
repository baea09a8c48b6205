"""HTTP caching: anonymous persisted GETs are public with an ETag, every other answer private."""

from __future__ import annotations

import hashlib
import json

import httpx

from tests.auth_support import Issuer
from tests.factories import make_company, make_job

BOARD = "{ jobs(first: 10) { totalCount nodes { title company { name } } } }"
FEE_TERMS = "{ jobs(first: 10) { nodes { title feeTerms { percent } } } }"


def persisted_get_params(query: str) -> dict[str, str]:
    """The query string of a persisted GET for `query`."""
    sha256 = hashlib.sha256(query.encode()).hexdigest()
    return {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256}})}


async def register(http: httpx.AsyncClient, query: str) -> None:
    """Register a document as a persisted query (POST with its hash)."""
    sha256 = hashlib.sha256(query.encode()).hexdigest()
    body = {"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}}}
    assert (await http.post("/graphql", json=body)).status_code == 200


async def test_an_anonymous_persisted_get_is_public_with_an_etag_and_no_budget(
    anonymous_client: httpx.AsyncClient,
) -> None:
    await make_job(await make_company(), title="Data Engineer")
    await register(anonymous_client, BOARD)
    anonymous_client.headers["accept"] = "application/json"

    first = await anonymous_client.get("/graphql", params=persisted_get_params(BOARD))
    again = await anonymous_client.get(
        "/graphql",
        params=persisted_get_params(BOARD),
        headers={"if-none-match": first.headers["etag"]},
    )

    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=30, stale-while-revalidate=30"
    assert "authorization" in first.headers["vary"].lower()
    assert first.json() == {
        "data": {"jobs": {"totalCount": 1, "nodes": [{"title": "Data Engineer", "company": {
            "name": first.json()["data"]["jobs"]["nodes"][0]["company"]["name"]}}]}}
    }  # fmt: skip
    assert not any(name.lower().startswith("x-ratelimit") for name in first.headers)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


async def test_the_etag_changes_when_a_job_changes(anonymous_client: httpx.AsyncClient) -> None:
    job = await make_job(await make_company(), title="Before")
    await register(anonymous_client, BOARD)
    anonymous_client.headers["accept"] = "application/json"
    before = await anonymous_client.get("/graphql", params=persisted_get_params(BOARD))

    job.title = "After"
    await job.save()
    after = await anonymous_client.get(
        "/graphql",
        params=persisted_get_params(BOARD),
        headers={"if-none-match": before.headers["etag"]},
    )

    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["data"]["jobs"]["nodes"][0]["title"] == "After"


async def test_authenticated_answers_are_private_with_the_budget_in_headers(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    await make_job(await make_company())
    await register(anonymous_client, BOARD)
    anonymous_client.headers["accept"] = "application/json"

    signed_in = await anonymous_client.get(
        "/graphql",
        params=persisted_get_params(BOARD),
        headers={"authorization": f"Bearer {issuer.admin_token()}"},
    )
    posted = await anonymous_client.post("/graphql", json={"query": BOARD})

    for response in (signed_in, posted):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-store"
        assert "authorization" in response.headers["vary"].lower()
        assert "etag" not in response.headers
        cost = response.json()["extensions"]["cost"]
        assert response.headers["x-ratelimit-limit"] == str(cost["limit"])
        assert response.headers["x-ratelimit-remaining"] == str(cost["remaining"])
        assert int(response.headers["x-ratelimit-reset"]) > 0


async def test_an_anonymous_get_with_errors_is_not_cached(
    anonymous_client: httpx.AsyncClient,
) -> None:
    await make_job(await make_company())
    await register(anonymous_client, FEE_TERMS)
    anonymous_client.headers["accept"] = "application/json"

    response = await anonymous_client.get("/graphql", params=persisted_get_params(FEE_TERMS))

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert response.headers["cache-control"] == "private, no-store"
