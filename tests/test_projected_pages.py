"""A page of children leaves out the stored fields its selection never reads, and only those."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from bson import ObjectId

from crowdhire.models import Submission
from crowdhire.models.trusted import TRUSTED_READS, NotLoaded, trusted_read
from crowdhire.schema.ids import encode_global_id
from tests.conftest import AppFactory
from tests.factories import make_jobs_page_graph
from tests.support import CommandCounter, gql

PIPELINE = """
query Pipeline {
  jobs(first: 10) { nodes { id submissions(first: 5) { nodes { id stage } } } }
}
"""
WITH_HISTORY = """
query PipelineWithHistory($history: Boolean!) {
  jobs(first: 10) {
    nodes {
      id
      submissions(first: 5) {
        nodes { id stage ...Moves @include(if: $history) }
      }
    }
  }
}
fragment Moves on Submission { history { fromStage toStage note } }
"""


def unset_stages(commands: CommandCounter) -> list[Any]:
    """The `$unset` stages of the aggregations sent since the last reset."""
    return [stage["$unset"] for p in commands.pipelines for stage in p if "$unset" in stage]


async def test_a_page_that_does_not_show_history_does_not_read_it(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    await make_jobs_page_graph(3, 2)
    mongo_commands.reset()
    body = await gql(client, PIPELINE)
    nodes = [s for job in body["data"]["jobs"]["nodes"] for s in job["submissions"]["nodes"]]
    assert len(nodes) == 6 and all(set(node) == {"id", "stage"} for node in nodes)
    # also the pitch, and the matching keys no field shows
    assert unset_stages(mongo_commands) == [["history", "person_keys", "pitch"]]


async def test_a_page_that_shows_history_reads_all_of_it(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    await make_jobs_page_graph(2, 2)
    mongo_commands.reset()
    body = await gql(client, WITH_HISTORY, {"history": True})
    assert unset_stages(mongo_commands) == [["person_keys", "pitch"]]
    nodes = [s for job in body["data"]["jobs"]["nodes"] for s in job["submissions"]["nodes"]]
    assert len(nodes) == 4
    for node in nodes:  # asked for through a fragment
        assert node["history"] == [{"fromStage": None, "toStage": "SUBMITTED", "note": ""}]
    # a selection under @include(if: false) is not executed, but still counts as read: the
    # decision is made once per operation, and reading too much is never wrong
    mongo_commands.reset()
    body = await gql(client, WITH_HISTORY, {"history": False})
    assert unset_stages(mongo_commands) == [["person_keys", "pitch"]]
    assert all(
        "history" not in s for j in body["data"]["jobs"]["nodes"] for s in j["submissions"]["nodes"]
    )


async def test_a_page_that_shows_the_pitch_reads_it(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    await make_jobs_page_graph(2, 2)
    await Submission.get_pymongo_collection().update_many({}, {"$set": {"pitch": "Shipped it"}})
    mongo_commands.reset()
    document = "{ jobs(first: 10) { nodes { submissions(first: 5) { nodes { pitch } } } } }"
    body = await gql(client, document)
    assert unset_stages(mongo_commands) == [["history", "person_keys"]]
    pitches = [s["pitch"] for j in body["data"]["jobs"]["nodes"] for s in j["submissions"]["nodes"]]
    assert pitches == ["Shipped it"] * 4


async def test_the_setting_turns_projection_off(
    app_factory: AppFactory, issuer: Any, mongo_commands: CommandCounter
) -> None:
    async with app_factory(projected_pages=False) as (_, http):
        await make_jobs_page_graph(2, 2)
        mongo_commands.reset()
        await gql(http, PIPELINE, as_=issuer.admin_token())
        assert unset_stages(mongo_commands) == []


@pytest.mark.parametrize("trusted", [True, False])
async def test_a_projected_object_lacks_the_field_instead_of_defaulting_it(
    client: httpx.AsyncClient, trusted: bool
) -> None:
    await make_jobs_page_graph(1, 1)
    raw = await Submission.get_pymongo_collection().find_one({})
    assert raw is not None and raw["history"]
    token = TRUSTED_READS.set(trusted)
    try:
        partial = trusted_read(Submission, raw, frozenset({"history"}))
        whole = trusted_read(Submission, raw)
    finally:
        TRUSTED_READS.reset(token)
    assert isinstance(partial.history, NotLoaded)
    with pytest.raises(LookupError, match="history was left out"):
        list(partial.history)  # an empty list here would read as "never moved"
    assert "history" not in partial.model_fields_set
    assert len(whole.history) == 1
    for name in Submission.model_fields:
        if name != "history":
            assert getattr(partial, name) == getattr(whole, name), name
    assert isinstance(partial.id, ObjectId)


def test_only_fields_stored_under_their_own_name_can_be_left_out() -> None:
    with pytest.raises(ValueError, match="cannot omit"):
        trusted_read(Submission, {}, frozenset({"no_such_field"}))


MIXED_NODES = """
query Mixed($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Recruiter { submissions(first: 5) { nodes { id } } }
    ... on Job { submissions(first: 5) { nodes { id history { toStage } } } }
  }
}
"""


async def test_the_same_position_under_two_types_keeps_each_types_selection(
    client: httpx.AsyncClient,
) -> None:
    # `nodes.submissions` of a Recruiter does not read history, of a Job it does: the
    # decision is per parent type, or the job's page would be read without history
    [job] = await make_jobs_page_graph(1, 1)
    submission = await Submission.find_one(Submission.job_id == job.id)
    assert submission is not None and job.id is not None
    ids = [
        encode_global_id("Recruiter", submission.recruiter_id),
        encode_global_id("Job", job.id),
    ]
    body = await gql(client, MIXED_NODES, {"ids": ids})
    assert "errors" not in body, body
    recruiter, job_node = body["data"]["nodes"]
    assert [set(node) for node in recruiter["submissions"]["nodes"]] == [{"id"}]
    assert job_node["submissions"]["nodes"][0]["history"] == [{"toStage": "SUBMITTED"}]
