"""The ranking cache: a ranking is served again without reading its pool, for the viewer scope
it was computed for, until the job, a candidate of the pool or a vector it used changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from crowdhire.matching.embeddings import TextEncoder
from crowdhire.models import AuditEvent
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_job, make_submission
from tests.matching_support import World, embed_everything, hiring_world
from tests.support import CommandCounter, global_id, gql

RANKED = """query($id: ID!) { node(id: $id) { ... on Job { recommendedCandidates {
  totalCount nodes { candidate { fullName } match { score computedAt
    components { name weight reason } } } } } } }"""
JOBS_FOR = """query($id: ID!) { node(id: $id) { ... on Candidate { recommendedJobs {
  nodes { job { title } match { score computedAt } } } } } }"""
UPDATE_CANDIDATE = """mutation($input: UpdateCandidateInput!) { updateCandidate(input: $input) {
  userErrors { field code } } }"""
UPDATE_JOB = """mutation($input: UpdateJobInput!) { updateJob(input: $input) {
  userErrors { field code } } }"""
PAUSE_JOB = """mutation($input: PauseJobInput!) { pauseJob(input: $input) {
  userErrors { field code } } }"""
READS = frozenset({"find", "aggregate", "getMore", "count", "distinct"})


@pytest.fixture
async def world(app_factory: AppFactory, text_encoder: TextEncoder) -> AsyncIterator[World]:
    """The hiring world with the ranking cache on (the default)."""
    async with hiring_world(app_factory) as built:
        yield built


async def _ranking(world: World, token: str) -> dict[str, Any]:
    answer = await gql(world.http, RANKED, {"id": global_id("Job", world.job)}, as_=token)
    ranking: dict[str, Any] = answer["data"]["node"]["recommendedCandidates"]
    return ranking


def _names(ranking: dict[str, Any]) -> list[str]:
    return [node["candidate"]["fullName"] for node in ranking["nodes"]]


def _score_of(ranking: dict[str, Any], name: str) -> float:
    (score,) = [n["match"]["score"] for n in ranking["nodes"] if n["candidate"]["fullName"] == name]
    return float(score)


async def _mutate(world: World, query: str, variables: dict[str, Any], token: str) -> None:
    answer = await gql(world.http, query, {"input": variables}, as_=token)
    assert next(iter(answer["data"].values()))["userErrors"] == []


async def test_a_repeated_ranking_is_served_without_reading_its_pool_and_still_audited(
    world: World, issuer: Issuer, mongo_commands: CommandCounter
) -> None:
    await embed_everything(world)
    await make_submission(world.job, world.backend)
    seen = {}
    for name, token in (("admin", issuer.admin_token()), ("rita", issuer.token("auth0|rita")),
                        ("member", issuer.token("auth0|acme"))):  # fmt: skip
        first = await _ranking(world, token)
        mongo_commands.reset()
        audited = await AuditEvent.find({"action": "recommendedCandidates"}).count()
        again = await _ranking(world, token)
        assert again == first, name  # the same entries, scores and computedAt
        read = {collection for command, collection in mongo_commands.targets if command in READS}
        assert not read & {"candidates", "submissions", "jobs", "embeddings"}, (name, read)
        assert await AuditEvent.find({"action": "recommendedCandidates"}).count() == audited + 1
        seen[name] = _names(first)
    assert seen["admin"] == ["Ada Backend", "Sam's Pick", "Dee Designer"]
    assert seen["rita"] == ["Ada Backend", "Dee Designer"]  # each scope its own ranking
    assert seen["member"] == ["Ada Backend"]


async def test_a_candidate_edit_reaches_every_ranking_of_its_pool_and_no_other(
    world: World, issuer: Issuer
) -> None:
    await embed_everything(world)
    rita, sam, admin = issuer.token("auth0|rita"), issuer.token("auth0|sam"), issuer.admin_token()
    before = {who: await _ranking(world, token) for who, token in (("rita", rita), ("admin", admin),
                                                                  ("sam", sam))}  # fmt: skip
    edit = {
        "candidateId": global_id("Candidate", world.designer),
        "skills": ["python", "postgresql"],
    }
    await _mutate(world, UPDATE_CANDIDATE, edit, rita)

    for who, token in (("rita", rita), ("admin", admin)):
        after = await _ranking(world, token)
        assert _score_of(after, "Dee Designer") > _score_of(before[who], "Dee Designer"), who
    assert await _ranking(world, sam) == before["sam"]  # sam's pool did not change: still cached


async def test_a_job_edit_rescores_its_candidates(world: World, issuer: Issuer) -> None:
    await embed_everything(world)
    rita = issuer.token("auth0|rita")
    before = await _ranking(world, rita)
    edit = {"jobId": global_id("Job", world.job), "mustHaveSkills": ["figma"]}
    await _mutate(world, UPDATE_JOB, edit, issuer.token("auth0|acme"))

    after = await _ranking(world, rita)
    assert _score_of(after, "Dee Designer") > _score_of(before, "Dee Designer")
    assert _score_of(after, "Ada Backend") < _score_of(before, "Ada Backend")
    reasons = {c["name"]: c["reason"] for c in after["nodes"][0]["match"]["components"]}
    assert "figma" in reasons["mustHave"]


async def test_vectors_stored_after_a_ranking_make_it_recomputed(
    world: World, issuer: Issuer
) -> None:
    rita = issuer.token("auth0|rita")
    before = await _ranking(world, rita)
    semantic = [c for c in before["nodes"][0]["match"]["components"] if c["name"] == "semantic"]
    assert semantic[0]["weight"] == 0  # not embedded yet: the part is left out
    await embed_everything(world)  # the worker writes vectors; no request changes anything

    after = await _ranking(world, rita)
    semantic = [c for c in after["nodes"][0]["match"]["components"] if c["name"] == "semantic"]
    assert semantic[0]["weight"] > 0
    assert after["nodes"][0]["match"]["computedAt"] > before["nodes"][0]["match"]["computedAt"]


async def test_a_new_submission_joins_the_members_ranking(world: World, issuer: Issuer) -> None:
    member = issuer.token("auth0|acme")
    assert _names(await _ranking(world, member)) == []
    await make_submission(world.job, world.designer)
    assert _names(await _ranking(world, member)) == ["Dee Designer"]


async def test_recommended_jobs_are_cached_until_a_job_leaves_the_open_pool(
    world: World, issuer: Issuer
) -> None:
    await embed_everything(world)
    rita = issuer.token("auth0|rita")
    person = {"id": global_id("Candidate", world.backend)}

    async def jobs() -> list[dict[str, Any]]:
        answer = await gql(world.http, JOBS_FOR, person, as_=rita)
        nodes: list[dict[str, Any]] = answer["data"]["node"]["recommendedJobs"]["nodes"]
        return nodes

    first = await jobs()
    assert [node["job"]["title"] for node in first] == ["Backend Engineer"]
    assert await jobs() == first  # served again, computedAt and all
    await _mutate(world, PAUSE_JOB, {"jobId": global_id("Job", world.job)},
                  issuer.token("auth0|acme"))  # fmt: skip
    assert await jobs() == []


async def test_rankings_of_many_jobs_share_their_reads(
    app_factory: AppFactory, text_encoder: TextEncoder, issuer: Issuer,
    mongo_commands: CommandCounter,
) -> None:  # fmt: skip
    """Computed, not served from the cache: the batching of the computation is what is tested."""
    async with hiring_world(app_factory, matching_ranking_cache_seconds=0) as world:
        await embed_everything(world)
        query = """query($n: Int) { jobs(first: $n) { nodes {
          recommendedCandidates { nodes { candidate { fullName } match { score } } } } } }"""
        token = issuer.token("auth0|rita")
        (await gql(world.http, query, {"n": 1}, as_=token))["data"]  # warm: roles and caches

        counts = []
        for n in (1, 3):
            if n == 3:
                for _ in range(2):
                    await make_job(world.company, skills=["python"])
            mongo_commands.reset()
            data = (await gql(world.http, query, {"n": n}, as_=token))["data"]
            assert len(data["jobs"]["nodes"]) == n
            counts.append([name for name in mongo_commands.names if name != "insert"])

    assert len(counts[1]) == len(counts[0])  # reads do not grow with the jobs shown
