"""GraphQL over HTTP (the spec's server audit, case by case), with introspection on and off.

Three of graphql-http's audit cases query `__type(name: …)`: BF61 (a UTF-8 request; with
introspection off it fails validation, which `application/json` answers with 200, so it passes
either way) and 2EA1 / 28B9 (a map of variables). The last two need introspection on: with it off
their document is refused by validation, so the map of variables is tested here with a document
that does not introspect.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from tests.conftest import AppFactory
from tests.factories import make_company

GRAPHQL_RESPONSE = "application/graphql-response+json"
APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"
NON_STRINGS: list[Any] = [{"obj": "ect"}, 0, False, ["array"]]
NON_MAPS: list[Any] = ["string", 0, False, ["array"]]


@pytest.fixture(params=[False, True], ids=["introspection-off", "introspection-on"])
async def http(request: pytest.FixtureRequest, app_factory: AppFactory) -> AsyncIterator[Any]:
    """An anonymous client of the app in its production shape (GraphiQL off)."""
    overrides = {"crowdhire_introspection": request.param, "crowdhire_graphiql": False}
    async with app_factory(**overrides) as (_, client):
        yield client


async def post(
    http: httpx.AsyncClient, body: object, accept: str | None = None, raw: bytes | None = None
) -> httpx.Response:
    """POST a JSON body (or raw bytes) with an optional Accept header."""
    headers = {"content-type": "application/json"}
    if accept is not None:
        headers["accept"] = accept
    content = raw if raw is not None else orjson.dumps(body)
    return await http.post("/graphql", content=content, headers=headers)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (APOLLO_ACCEPT, GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
        ("application/json, application/graphql-response+json;q=0.5", "application/json"),
    ],
)
async def test_the_response_matches_the_accepted_media_type(
    http: httpx.AsyncClient, accept: str | None, media_type: str
) -> None:
    response = await post(http, {"query": "{ __typename }"}, accept)

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.content.decode("utf-8")  # utf-8 on the way out
    assert response.json()["data"] == {"__typename": "Query"}


async def test_utf8_requests_are_read_as_utf8_with_or_without_a_charset(
    http: httpx.AsyncClient,
) -> None:
    query = '{ __type(name: "Run🏃Swim🏊") { name } }'
    with_charset = await http.post(
        "/graphql",
        content=orjson.dumps({"query": query}),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    plain = await post(http, {"query": "{ __typename }"})

    assert with_charset.status_code == 200  # introspection off: a validation error, still 200
    assert plain.status_code == 200


async def test_mutations_over_get_and_posts_without_a_content_type_are_4xx(
    http: httpx.AsyncClient,
) -> None:
    mutation = await http.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    untyped = await http.post("/graphql", content=b'{"query": "{ __typename }"}')
    missing_body = await http.post("/graphql", headers={"content-type": "application/json"})

    assert 400 <= mutation.status_code < 500
    assert 400 <= untyped.status_code < 500
    assert missing_body.status_code == 400


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
async def test_invalid_parameters_answer_400(http: httpx.AsyncClient, accept: str) -> None:
    bodies: list[dict[str, Any]] = [{"notquery": "{ __typename }"}]
    bodies += [{"query": value} for value in NON_STRINGS]
    bodies += [{"query": "{ __typename }", "operationName": value} for value in NON_STRINGS]
    bodies += [{"query": "{ __typename }", "variables": value} for value in NON_MAPS]
    bodies += [{"query": "{ __typename }", "extensions": value} for value in NON_MAPS]

    for body in bodies:
        response = await post(http, body, accept)
        assert response.status_code == 400, body
        assert response.json()["errors"], body
        if accept == GRAPHQL_RESPONSE:
            assert "data" not in response.json(), body


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
async def test_valid_parameters_are_allowed(http: httpx.AsyncClient, accept: str) -> None:
    bodies: list[dict[str, Any]] = [
        {"query": "{ __typename }"},
        {"query": "query Query { __typename }", "operationName": "Query"},
        {"query": "{ __typename }", "operationName": None},
        {"query": "{ __typename }", "variables": None},
        {
            "query": "query Q($no: Boolean!) { __typename @skip(if: $no) }",
            "variables": {"no": False},
        },
        {"query": "{ __typename }", "extensions": None},
        {"query": "{ __typename }", "extensions": {"some": "value"}},
    ]
    for body in bodies:
        response = await post(http, body, accept)
        assert response.status_code == 200, body
        assert response.json()["data"] == {"__typename": "Query"}, body


async def test_the_audits_introspecting_variables_case_follows_the_introspection_setting(
    app_factory: AppFactory,
) -> None:
    body = {
        "query": "query Type($name: String!) { __type(name: $name) { name } }",
        "variables": {"name": "Job"},
    }
    for introspection, status in ((True, 200), (False, 400)):
        async with app_factory(crowdhire_introspection=introspection) as (_, client):
            response = await post(client, body, GRAPHQL_RESPONSE)
            assert response.status_code == status
            legacy = await post(client, body, "application/json")
            assert legacy.status_code == 200
        if introspection:
            assert response.json()["data"] == {"__type": {"name": "Job"}}


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
async def test_json_parse_failures_answer_400(http: httpx.AsyncClient, accept: str) -> None:
    response = await post(http, None, accept, raw=b'{ "not a JSON')

    assert response.status_code == 400
    assert response.json()["errors"]


REQUEST_ERRORS = {
    "document parse failure": {"query": "{"},
    "document validation failure": {"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"},
    "variable coercion failure": {
        "query": "query CoerceFailure($id: ID!) { __typename }",
        "variables": {"id": None},
    },
}


@pytest.mark.parametrize("body", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
async def test_request_errors_are_400_without_data_for_graphql_response_json(
    http: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await post(http, body, GRAPHQL_RESPONSE)

    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"][0]["message"]


@pytest.mark.parametrize("body", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
async def test_request_errors_stay_200_with_null_data_for_application_json(
    http: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await post(http, body, "application/json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"] is None
    assert response.json()["errors"]


async def test_execution_errors_keep_200_and_their_data(http: httpx.AsyncClient) -> None:
    # Anonymous callers may list companies but not their members: a field error at a path.
    await make_company()
    query = "{ companies(first: 1) { nodes { name members { role } } } }"
    response = await post(http, {"query": query}, GRAPHQL_RESPONSE)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["data"]["companies"]["nodes"][0]["name"]
    assert answer["errors"][0]["path"]


async def test_a_bad_token_is_401(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"authorization": "Bearer not-a-token", "accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 401
