"""Relay `node`/`nodes`: every type by id; foreign, garbage and missing ids give null."""

from __future__ import annotations

import httpx
import pytest
from bson import ObjectId

from crowdhire.models.submissions import Stage
from crowdhire.schema.ids import encode_global_id
from tests.factories import (
    make_candidate,
    make_company,
    make_job,
    make_placement,
    make_recruiter,
    make_submission,
)
from tests.support import error_codes, gql

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Company { slug }
    ... on Job { title }
    ... on Recruiter { displayName }
    ... on Candidate { fullName }
    ... on Submission { pitch }
    ... on Placement { fee { amount } }
  }
}
"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


@pytest.fixture
async def one_of_each() -> dict[str, tuple[str, str, object]]:
    """One object of every type: type name → (id, field, expected value)."""
    company = await make_company(slug="only")
    job = await make_job(company, title="Only job")
    recruiter = await make_recruiter(display_name="Only recruiter")
    candidate = await make_candidate(recruiter, full_name="Only candidate")
    submission = await make_submission(job, candidate, pitch="Only pitch", stage=Stage.HIRED)
    placement = await make_placement(submission, job)
    objects = {
        "Company": (company.id, "slug", "only"),
        "Job": (job.id, "title", "Only job"),
        "Recruiter": (recruiter.id, "displayName", "Only recruiter"),
        "Candidate": (candidate.id, "fullName", "Only candidate"),
        "Submission": (submission.id, "pitch", "Only pitch"),
        "Placement": (placement.id, "fee", {"amount": placement.fee.amount}),
    }
    return {
        name: (encode_global_id(name, object_id), field, value)  # type: ignore[arg-type]
        for name, (object_id, field, value) in objects.items()
    }


async def test_node_resolves_every_type(
    client: httpx.AsyncClient, one_of_each: dict[str, tuple[str, str, object]]
) -> None:
    for type_name, (global_id, field, expected) in one_of_each.items():
        node = (await gql(client, NODE, {"id": global_id}))["data"]["node"]

        assert node["__typename"] == type_name
        assert node["id"] == global_id
        assert node[field] == expected


async def test_id_of_another_type_gives_null_not_that_types_data(
    client: httpx.AsyncClient, one_of_each: dict[str, tuple[str, str, object]]
) -> None:
    job_id = one_of_each["Job"][0]
    parsed_hex = __import__("base64").urlsafe_b64decode(job_id + "==").decode().split(":")[1]
    as_company = encode_global_id("Company", ObjectId(parsed_hex))

    body = await gql(client, NODE, {"id": as_company})

    assert body["data"]["node"] is None


@pytest.mark.parametrize(
    "bad_id",
    ["", "garbage", "Sm9iOm5vcGU", encode_global_id("Unknown", ObjectId()), "x" * 5000],
)
async def test_garbage_or_unknown_ids_give_null(client: httpx.AsyncClient, bad_id: str) -> None:
    body = await gql(client, NODE, {"id": bad_id})

    assert body["data"]["node"] is None


async def test_missing_object_gives_null(client: httpx.AsyncClient) -> None:
    body = await gql(client, NODE, {"id": encode_global_id("Job", ObjectId())})

    assert body["data"]["node"] is None


async def test_nodes_keeps_order_and_nulls(
    client: httpx.AsyncClient, one_of_each: dict[str, tuple[str, str, object]]
) -> None:
    ids = [one_of_each["Placement"][0], "garbage", one_of_each["Company"][0]]

    body = await gql(client, NODES, {"ids": ids})

    assert body["data"]["nodes"] == [
        {"__typename": "Placement", "id": ids[0]},
        None,
        {"__typename": "Company", "id": ids[2]},
    ]


async def test_nodes_refuses_more_than_one_hundred_ids(client: httpx.AsyncClient) -> None:
    body = await gql(client, NODES, {"ids": ["a"] * 101}, expect_errors=True)

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["argument"] == "ids"
