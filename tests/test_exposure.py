"""What responses expose: masked unexpected errors, readable expected ones, production defaults."""

from __future__ import annotations

import logging

import httpx
import pytest

from crowdhire.models import Job
from crowdhire.settings import Environment, Settings
from tests.conftest import AppFactory
from tests.factories import make_company, make_job
from tests.support import error_codes

INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_unexpected_errors_are_masked_with_an_id_the_log_repeats(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    job = await make_job(await make_company())
    # A document the model cannot load: a real unexpected failure inside a resolver.
    await Job.get_pymongo_collection().update_one({"_id": job.id}, {"$set": {"openings": "x"}})
    caplog.set_level(logging.ERROR, logger="crowdhire.errors")
    response = await client.post("/graphql", json={"query": "{ jobs { nodes { title } } }"})
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["message"] == "Unexpected error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "openings" not in response.text and "validation" not in response.text.lower()
    assert "Traceback" not in response.text
    [record] = [r for r in caplog.records if error["extensions"]["errorId"] in r.getMessage()]
    assert record.exc_info is not None


async def test_expected_and_validation_errors_stay_readable(client: httpx.AsyncClient) -> None:
    bad_input = await client.post(
        "/graphql", json={"query": "{ jobs(first: 1000) { totalCount } }"}
    )
    [error] = bad_input.json()["errors"]
    assert error["message"] == "`first` must be between 1 and 100, got 1000"
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}

    invalid = await client.post("/graphql", json={"query": "{ jobs { nope } }"})
    assert error_codes(invalid.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    assert (
        invalid.json()["errors"][0]["message"]
        == "Cannot query field 'nope' on type 'JobConnection'."
    )


def test_production_turns_introspection_and_graphiql_off_by_default() -> None:
    # model_copy skips the other production requirements (Auth0, secrets): not what is tested.
    production = Settings().model_copy(update={"crowdhire_env": Environment.PRODUCTION})
    assert not production.introspection_enabled
    assert not production.graphiql_enabled
    opted_in = production.model_copy(
        update={"crowdhire_introspection": True, "crowdhire_graphiql": True}
    )
    assert opted_in.introspection_enabled and opted_in.graphiql_enabled
    assert Settings().introspection_enabled  # dev


async def test_introspection_off_refuses_schema_queries(app_factory: AppFactory) -> None:
    async with app_factory(crowdhire_introspection=False) as (_, client):
        body = (await client.post("/graphql", json={"query": INTROSPECTION})).json()
        assert body["data"] is None
        assert "introspection" in body["errors"][0]["message"].lower()
        typename = (await client.post("/graphql", json={"query": "{ __typename }"})).json()
        assert typename["data"] == {"__typename": "Query"}
    async with app_factory(crowdhire_introspection=True) as (_, client):
        body = (await client.post("/graphql", json={"query": INTROSPECTION})).json()
        assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_graphiql_only_when_enabled(app_factory: AppFactory) -> None:
    html = {"accept": "text/html"}
    async with app_factory(crowdhire_graphiql=False) as (_, client):
        response = await client.get("/graphql", headers=html)
        assert response.status_code == 404
    async with app_factory(crowdhire_graphiql=True) as (_, client):
        response = await client.get("/graphql", headers=html)
        assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_responses_carry_no_tracing_data(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": "{ jobs { totalCount } }"})).json()
    assert set(body["extensions"]) == {"cost"}
