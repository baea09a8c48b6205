"""Recommendations through the API: embedding tasks, rankings per role, reasons, audit, opt-out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from crowdhire.matching import store
from crowdhire.matching.embeddings import TextEncoder
from crowdhire.matching.service import MatchingService
from crowdhire.matching.tasks import EMBED_TASK
from crowdhire.models import AuditEvent, BackgroundTask, Candidate
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.models.jobs import JobStatus
from crowdhire.schema.ids import parse_global_id
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_job, make_submission
from tests.matching_support import World, embed_everything, hiring_world, ranked_names
from tests.support import error_codes, global_id, gql


@pytest.fixture
async def world(app_factory: AppFactory, text_encoder: TextEncoder) -> AsyncIterator[World]:
    """The hiring world on its own app, the embedding model loaded."""
    async with hiring_world(app_factory) as built:
        yield built


RECOMMENDED = """query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Job {
  recommendedCandidates(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { candidate { id fullName } match { score modelVersion computedAt
      components { name weight value reason } } } } } } }"""
CONTACT = """query($id: ID!) { node(id: $id) { ... on Job {
  recommendedCandidates { nodes { candidate { fullName email } } } } } }"""
JOBS_FOR = """query($id: ID!, $filter: JobFilter) { node(id: $id) { ... on Candidate {
  automatedRanking recommendedJobs(filter: $filter) { nodes { job { title } match { score } } }
} } }"""
SUBMISSION_MATCH = """query($id: ID!) { node(id: $id) { ... on Submission {
  match { score modelVersion components { name reason } } } } }"""
OPT = """mutation($input: SetCandidateAutomatedRankingInput!) { setCandidateAutomatedRanking(
  input: $input) { candidate { automatedRanking } userErrors { field code message } } }"""


async def test_writes_queue_embedding_tasks_that_store_versioned_vectors(
    world: World, issuer: Issuer
) -> None:
    create = """mutation($input: CreateCandidateInput!) {
      createCandidate(input: $input) { candidate { id } userErrors { code } } }"""
    token = issuer.token("auth0|rita")
    person = {"fullName": "New Person", "headline": "Go developer", "skills": ["golang"]}

    data = (await gql(world.http, create, {"input": person}, as_=token))["data"]

    assert data["createCandidate"]["userErrors"] == []
    (task,) = await BackgroundTask.find({"kind": EMBED_TASK}).to_list()
    assert task.payload["kind"] == "candidate"
    assert await world.worker.drain() == 1
    created = await Candidate.find_one({"full_name": "New Person"})
    assert created is not None and created.id is not None
    stored = await store.find(EmbeddedKind.CANDIDATE, created.id)
    assert stored is not None and stored.vector is not None
    assert stored.model_version == world.matching.model_version
    assert stored.model_version.startswith("wordllama-")
    assert world.matching.index[EmbeddedKind.CANDIDATE].vector(created.id) is not None


async def test_admins_rank_the_whole_pool_with_reasons_and_every_list_is_audited(
    world: World, issuer: Issuer
) -> None:
    await embed_everything(world)
    job_id = global_id("Job", world.job)

    data = (await gql(world.http, RECOMMENDED, {"id": job_id}, as_=issuer.admin_token()))["data"]

    ranked = data["node"]["recommendedCandidates"]
    assert ranked_names(data)[0] == "Ada Backend"
    assert ranked["totalCount"] == 3 and ranked_names(data)[-1] == "Dee Designer"
    top = ranked["nodes"][0]["match"]
    assert top["modelVersion"] == world.matching.model_version
    reasons = {c["name"]: c["reason"] for c in top["components"]}
    assert reasons["mustHave"] == "2 of 2 must-have skills"
    assert reasons["location"] == "remote job, candidate open to remote"
    assert reasons["semantic"].startswith("profile and job text")
    (event,) = await AuditEvent.find({"action": "recommendedCandidates"}).to_list()
    assert event.actor_sub == "auth0|test-admin"
    assert event.targets == {"job": str(world.job.id)}
    assert event.model_version == world.matching.model_version
    shown = [n["candidate"]["id"] for n in ranked["nodes"]]
    assert event.returned_ids == [str(p[1]) for p in map(parse_global_id, shown) if p is not None]

    await gql(world.http, RECOMMENDED, {"id": job_id}, as_=issuer.admin_token())  # again
    assert await AuditEvent.find({"action": "recommendedCandidates"}).count() == 2


async def test_before_embedding_the_score_says_the_semantic_part_is_missing(
    world: World, issuer: Issuer
) -> None:
    data = (
        await gql(
            world.http, RECOMMENDED, {"id": global_id("Job", world.job)}, as_=issuer.admin_token()
        )
    )["data"]

    top = data["node"]["recommendedCandidates"]["nodes"][0]["match"]
    semantic = next(c for c in top["components"] if c["name"] == "semantic")
    assert semantic["weight"] == 0
    assert semantic["reason"] == "not embedded yet: scored on the other components"


async def test_each_role_ranks_only_whom_it_may_already_see(world: World, issuer: Issuer) -> None:
    await embed_everything(world)
    await make_submission(world.job, world.sams)
    job_id = global_id("Job", world.job)

    rita = (await gql(world.http, RECOMMENDED, {"id": job_id}, as_=issuer.token("auth0|rita")))[
        "data"
    ]
    company = (await gql(world.http, RECOMMENDED, {"id": job_id}, as_=issuer.token("auth0|acme")))[
        "data"
    ]
    stranger = await gql(
        world.http,
        RECOMMENDED,
        {"id": job_id},
        as_=issuer.token("auth0|nobody"),
        expect_errors=True,
    )

    assert sorted(ranked_names(rita)) == ["Ada Backend", "Dee Designer"]
    assert ranked_names(company) == ["Sam's Pick"]
    assert error_codes(stranger) == ["FORBIDDEN"]


async def test_contact_fields_stay_hidden_from_the_company_before_interviews(
    world: World, issuer: Issuer
) -> None:
    await make_submission(world.job, world.sams)

    body = await gql(
        world.http,
        CONTACT,
        {"id": global_id("Job", world.job)},
        as_=issuer.token("auth0|acme"),
        expect_errors=True,
    )

    assert error_codes(body) == ["FORBIDDEN"]
    node = body["data"]["node"]["recommendedCandidates"]["nodes"][0]
    assert node["candidate"] is None or node["candidate"]["email"] is None


async def test_pages_follow_the_ranking_with_cursors(world: World, issuer: Issuer) -> None:
    await embed_everything(world)
    token, job_id = issuer.token("auth0|rita"), global_id("Job", world.job)

    first = (await gql(world.http, RECOMMENDED, {"id": job_id, "first": 1}, as_=token))["data"]
    page = first["node"]["recommendedCandidates"]
    second = (
        await gql(
            world.http,
            RECOMMENDED,
            {"id": job_id, "first": 1, "after": page["pageInfo"]["endCursor"]},
            as_=token,
        )
    )["data"]

    assert page["pageInfo"]["hasNextPage"] is True
    assert ranked_names(first) + ranked_names(second) == ["Ada Backend", "Dee Designer"]
    assert second["node"]["recommendedCandidates"]["pageInfo"]["hasNextPage"] is False


async def test_a_recruiter_gets_open_jobs_ranked_for_their_candidate(
    world: World, issuer: Issuer
) -> None:
    await make_job(world.company, title="Pastry Chef", description="Bake bread.",
                   skills=["baking"])  # fmt: skip
    await make_job(world.company, title="Closed Backend", skills=["python"],
                   status=JobStatus.CLOSED)  # fmt: skip
    await embed_everything(world)
    person = global_id("Candidate", world.backend)

    data = (await gql(world.http, JOBS_FOR, {"id": person}, as_=issuer.token("auth0|rita")))["data"]
    filtered = (
        await gql(
            world.http,
            JOBS_FOR,
            {"id": person, "filter": {"text": "pastry"}},
            as_=issuer.token("auth0|rita"),
        )
    )["data"]
    other = await gql(
        world.http, JOBS_FOR, {"id": person}, as_=issuer.token("auth0|sam"), expect_errors=True
    )

    titles = [n["job"]["title"] for n in data["node"]["recommendedJobs"]["nodes"]]
    assert titles[0] == "Backend Engineer" and "Closed Backend" not in titles
    assert [n["job"]["title"] for n in filtered["node"]["recommendedJobs"]["nodes"]] == []
    assert other["data"]["node"] is None  # Sam cannot see Rita's candidate at all
    assert await AuditEvent.find({"action": "recommendedJobs"}).count() == 2


async def test_submissions_carry_their_match(world: World, issuer: Issuer) -> None:
    await embed_everything(world)
    submission = await make_submission(world.job, world.backend)

    data = (
        await gql(
            world.http,
            SUBMISSION_MATCH,
            {"id": global_id("Submission", submission)},
            as_=issuer.token("auth0|acme"),
        )
    )["data"]

    match = data["node"]["match"]
    assert match["score"] > 50 and match["modelVersion"] == world.matching.model_version


async def test_opting_out_deletes_the_vector_and_leaves_every_ranking(
    world: World, issuer: Issuer
) -> None:
    await embed_everything(world)
    submission = await make_submission(world.job, world.backend)
    token = issuer.token("auth0|rita")
    person_id = global_id("Candidate", world.backend)
    choice = {"candidateId": person_id, "automatedRanking": "OPTED_OUT", "clientMutationId": "o1"}

    data = (await gql(world.http, OPT, {"input": choice}, as_=token))["data"]
    again = (await gql(world.http, OPT, {"input": choice}, as_=token))["data"]

    assert data["setCandidateAutomatedRanking"] == {
        "candidate": {"automatedRanking": "OPTED_OUT"}, "userErrors": []}  # fmt: skip
    assert again == data
    assert world.backend.id is not None
    stored = await store.find(EmbeddedKind.CANDIDATE, world.backend.id)
    assert stored is not None and stored.vector is None
    assert world.matching.index[EmbeddedKind.CANDIDATE].vector(world.backend.id) is None
    ranked = (await gql(world.http, RECOMMENDED, {"id": global_id("Job", world.job)}, as_=token))[
        "data"
    ]
    assert "Ada Backend" not in ranked_names(ranked)
    jobs = (await gql(world.http, JOBS_FOR, {"id": person_id}, as_=token))["data"]
    assert jobs["node"] == {"automatedRanking": "OPTED_OUT", "recommendedJobs": {"nodes": []}}
    match = (
        await gql(
            world.http,
            SUBMISSION_MATCH,
            {"id": global_id("Submission", submission)},
            as_=issuer.token("auth0|acme"),
        )
    )["data"]
    assert match["node"]["match"] is None
    update = """mutation($input: UpdateCandidateInput!) {
      updateCandidate(input: $input) { userErrors { code } } }"""
    (
        await gql(
            world.http, update, {"input": {"candidateId": person_id, "headline": "Dev"}}, as_=token
        )
    )["data"]
    await world.worker.drain()  # the edit's embedding task must not bring the vector back
    stored = await store.find(EmbeddedKind.CANDIDATE, world.backend.id)
    assert stored is not None and stored.vector is None


async def test_only_the_candidates_recruiter_records_the_choice(
    world: World, issuer: Issuer
) -> None:
    choice = {"candidateId": global_id("Candidate", world.backend), "automatedRanking": "OPTED_OUT"}

    data = (await gql(world.http, OPT, {"input": choice}, as_=issuer.token("auth0|sam")))["data"]

    assert data["setCandidateAutomatedRanking"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert world.backend.id is not None
    fresh = await Candidate.get(world.backend.id)
    assert fresh is not None and fresh.automated_ranking.value == "allowed"


async def test_another_instance_sees_vectors_after_its_refresh(world: World) -> None:
    other = MatchingService()
    await other.refresh()
    assert world.backend.id is not None
    assert other.index[EmbeddedKind.CANDIDATE].vector(world.backend.id) is None

    await embed_everything(world)
    assert await other.refresh() >= 4

    assert other.index[EmbeddedKind.CANDIDATE].vector(world.backend.id) is not None
    assert len(other.index[EmbeddedKind.CANDIDATE]) == 3


async def test_a_jobs_submissions_can_be_ordered_best_match_first(
    world: World, issuer: Issuer
) -> None:
    await embed_everything(world)
    for person in (world.designer, world.backend, world.sams):
        await make_submission(world.job, person)
    query = """query($id: ID!, $after: String) { node(id: $id) { ... on Job {
      submissions(orderBy: MATCH_DESC, first: 2, after: $after) {
        totalCount pageInfo { endCursor hasNextPage }
        nodes { candidate { fullName } match { score } } } } } }"""
    token, job_id = issuer.token("auth0|acme"), global_id("Job", world.job)

    first = ((await gql(world.http, query, {"id": job_id}, as_=token))["data"])["node"][
        "submissions"
    ]
    rest = (
        await gql(
            world.http, query, {"id": job_id, "after": first["pageInfo"]["endCursor"]}, as_=token
        )
    )["data"]

    nodes = first["nodes"] + rest["node"]["submissions"]["nodes"]
    scores = [node["match"]["score"] for node in nodes]
    assert scores == sorted(scores, reverse=True) and len(nodes) == 3
    assert nodes[-1]["candidate"]["fullName"] == "Dee Designer"
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
