"""Malformed request bodies: each is a 400 with a JSON error, and nothing crashes in the log."""

from __future__ import annotations

import logging

import httpx
import pytest

DEEP_VARIABLES = (
    b'{"query": "query($v: String) { jobs { totalCount } }", "variables": {"v": '
    + b"[" * 2000
    + b"]" * 2000
    + b"}}"
)
BODIES = {
    "a string": b'"abc"',
    "null": b"null",
    "a number": b"123",
    "variables nested 2,000 deep": DEEP_VARIABLES,
    "invalid UTF-8": b'{"query": "{ jobs { totalCount } }\xff\xfe"}',
    "a persistedQuery that is a string": b'{"extensions": {"persistedQuery": "x"}}',
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
async def test_malformed_body_is_a_400_with_a_json_error(
    anonymous_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await anonymous_client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert errors and errors[0]["message"] and errors[0]["extensions"]["code"]
    assert "Traceback" not in response.text
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


async def test_get_variables_that_are_not_an_object_are_a_400(
    anonymous_client: httpx.AsyncClient,
) -> None:
    response = await anonymous_client.get(
        "/graphql", params={"query": "{ jobs { totalCount } }", "variables": "123"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"]
