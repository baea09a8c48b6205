"""Under the default limits the pages users actually load run, and list multiplication does not."""

from __future__ import annotations

import httpx
import orjson
from bson import ObjectId
from graphql import parse

from bench.scenarios import read_scenarios
from crowdhire.dev.examples import readme_examples
from crowdhire.graphql.cost import query_cost
from crowdhire.graphql.schema import build_schema
from crowdhire.models import Submission
from crowdhire.schema.ids import encode_global_id
from crowdhire.settings import Settings
from tests.factories import make_jobs_page_graph
from tests.support import CommandCounter, error_codes, gql

SCHEMA = build_schema()._schema

THREE_DEEP = """{ jobs(first: 100) { nodes { submissions(first: 100) { nodes {
  candidate { submissions(first: 100) { nodes { stage } } } } } } } }"""


async def test_every_readme_example_runs_with_default_settings(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    assert settings.max_query_cost == Settings.model_fields["max_query_cost"].default
    await make_jobs_page_graph(jobs=50, submissions_per_job=12)
    submission = await Submission.find_one()
    assert submission is not None
    candidate = encode_global_id("Candidate", submission.candidate_id)
    examples = readme_examples()
    assert [e.number for e in examples] == [1, 2, 3, 4, 5]
    for example in examples:
        variables = {"id": candidate} if "$id" in example.document else {}
        body = await gql(client, example.document, variables)
        charged = body["extensions"]["cost"]["requested"]
        assert charged == query_cost(SCHEMA, parse(example.document), None, variables) > 0
        assert charged <= settings.max_query_cost, example.title


async def test_the_flagship_jobs_page_is_served_in_full(client: httpx.AsyncClient) -> None:
    await make_jobs_page_graph(jobs=50, submissions_per_job=12)
    page = readme_examples()[0].document
    body = await gql(client, page)
    edges = body["data"]["jobs"]["edges"]
    assert len(edges) == 50
    assert all(len(edge["node"]["submissions"]["nodes"]) == 10 for edge in edges)
    assert all(
        node["candidate"]["fullName"] and node["recruiter"]["displayName"]
        for edge in edges
        for node in edge["node"]["submissions"]["nodes"]
    )


async def test_first_100_three_deep_stays_refused_unexecuted(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    mongo_commands.reset()
    body = await gql(client, THREE_DEEP, expect_errors=True)
    assert body["data"] is None
    assert error_codes(body) == ["COST_LIMIT_EXCEEDED"]
    assert body["errors"][0]["extensions"]["cost"] > 100 * 1000
    assert mongo_commands.count == 0
    two_deep = "{ jobs(first: 100) { nodes { submissions(first: 100) { nodes { stage } } } } }"
    assert error_codes(await gql(client, two_deep, expect_errors=True)) == ["COST_LIMIT_EXCEEDED"]


def test_bench_scenarios_price_under_the_default_limit() -> None:
    limit = Settings.model_fields["max_query_cost"].default
    for scenario in read_scenarios([ObjectId()]):
        for sent in dict.fromkeys(scenario.bodies):
            request = orjson.loads(sent)
            document = parse(request["query"])
            assert query_cost(SCHEMA, document, None, request["variables"]) <= limit, scenario.name
