"""No mutation leaves a stale cached answer, and writes elsewhere keep cached answers.

Each mutation of the schema runs after the reads its change shows were stored in the response
cache; afterwards every read answers exactly what a server without the response cache answers.
A mutation added to the schema without a case here fails `test_every_mutation_has_a_case`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from crowdhire.graphql.schema import build_schema
from crowdhire.models import Candidate
from tests.auth_support import Issuer
from tests.cache_staleness_support import (
    CANDIDATE,
    CASES,
    JOB,
    OPEN_JOBS,
    RECRUITER,
    Read,
    mutation_document,
)
from tests.conftest import AppFactory
from tests.factories import make_candidate, make_job, make_submission
from tests.support import CommandCounter, global_id, gql
from tests.workflow_support import HR, RECRUITER_A, RECRUITER_B, make_world


@pytest.fixture
async def cached(app_factory: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the response cache, its memcached calls given time on a loaded machine:
    these tests assert hits, which a timed-out lookup would turn into misses."""
    async with app_factory(cache_timeout_ms=1000) as (_, http):
        yield http


PAYMENT_MUTATIONS = {"createPlacementFeePayment", "refundPlacementFee"}  # test_payments_staleness
DOCUMENT_MUTATIONS = {  # test_document_staleness
    "createCandidateDocumentUpload",
    "completeCandidateDocumentUpload",
    "deleteCandidateDocument",
}
WEBHOOK_MUTATIONS = {  # test_webhook_staleness
    "createWebhookEndpoint",
    "updateWebhookEndpoint",
    "rotateWebhookSecret",
    "deleteWebhookEndpoint",
    "redeliverWebhook",
}


def test_every_mutation_has_a_case() -> None:
    mutation_type = build_schema()._schema.mutation_type
    assert mutation_type is not None
    mutations = set(mutation_type.fields)
    assert mutations == set(CASES) | PAYMENT_MUTATIONS | DOCUMENT_MUTATIONS | WEBHOOK_MUTATIONS


async def _read(http: httpx.AsyncClient, read: Read) -> Any:
    return (await gql(http, read.query, read.variables, as_=read.token))["data"]


async def _store(
    http: httpx.AsyncClient, reads: list[Read], mongo_commands: CommandCounter
) -> list[Any]:
    """Each read's answer, checked to be stored: asked again, it is served without MongoDB."""
    answers = []
    for read in reads:
        answers.append(await _read(http, read))
        mongo_commands.reset()
        assert await _read(http, read) == answers[-1]
        assert mongo_commands.names == [], (read.query, mongo_commands.names)
    return answers


@pytest.mark.parametrize("name", sorted(CASES))
async def test_no_mutation_leaves_a_stale_cached_answer(
    name: str,
    cached: httpx.AsyncClient,
    app_factory: AppFactory,
    issuer: Issuer,
    mongo_commands: CommandCounter,
) -> None:
    world = await make_world()
    case = await CASES[name](world, issuer)
    if name == "resendCandidateConsent":  # resending needs an open request
        request = mutation_document("requestCandidateConsent")
        asked = await gql(cached, request, {"input": case.input}, as_=case.token)
        assert asked["data"]["requestCandidateConsent"]["userErrors"] == []
        # a day later, past the resend rate limit
        await Candidate.get_pymongo_collection().update_one(
            {"_id": world.candidate_a.id}, {"$set": {"consent.recent_emails": []}}
        )
    before = await _store(cached, case.reads, mongo_commands)
    done = await gql(cached, mutation_document(name), {"input": case.input},
                     as_=case.token)  # fmt: skip
    assert done["data"][name]["userErrors"] == []
    async with app_factory(response_cache_enabled=False) as (_, uncached):
        for read, old in zip(case.reads, before, strict=True):
            served = await _read(cached, read)
            assert served == await _read(uncached, read), read.query
            if read.changes:
                assert served != old, read.query  # the read does show the change


UNRELATED_BIO = """mutation($input: UpdateRecruiterProfileInput!) {
  updateRecruiterProfile(input: $input) { userErrors { code } } }"""
SUBMIT = """mutation($input: SubmitCandidateInput!) {
  submitCandidate(input: $input) { userErrors { code } } }"""
MOVE = """mutation($input: MoveSubmissionInput!) {
  moveSubmission(input: $input) { userErrors { code } } }"""


async def _still_cached(
    http: httpx.AsyncClient, reads: list[Read], before: list[Any], mongo_commands: CommandCounter
) -> None:
    for read, old in zip(reads, before, strict=True):
        mongo_commands.reset()
        assert await _read(http, read) == old
        assert mongo_commands.names == [], (read.query, mongo_commands.names)


async def test_writes_to_other_objects_keep_cached_answers(
    cached: httpx.AsyncClient, issuer: Issuer, mongo_commands: CommandCounter
) -> None:
    world = await make_world()
    other_job = await make_job(world.company, title="Another role")
    await make_submission(world.job, world.candidate_a)
    theirs = await make_submission(other_job, world.candidate_b)
    fresh = await make_candidate(world.recruiter_b)
    reads = [
        Read(
            RECRUITER, {"id": global_id("Recruiter", world.recruiter_a)}, issuer.token(RECRUITER_A)
        ),
        Read(
            CANDIDATE, {"id": global_id("Candidate", world.candidate_a)}, issuer.token(RECRUITER_A)
        ),
        Read(JOB, {"id": global_id("Job", world.job)}, issuer.token(HR)),
    ]
    before = await _store(cached, reads, mongo_commands)
    # recruiter B edits their own profile, submits to the other job, and HR moves B's
    # submission there: none of it is on recruiter A's page, A's candidate or the first job
    bio = await gql(cached, UNRELATED_BIO, {"input": {"bio": "New bio"}},
                    as_=issuer.token(RECRUITER_B))  # fmt: skip
    assert bio["data"]["updateRecruiterProfile"]["userErrors"] == []
    submitted = await gql(cached, SUBMIT, {"input": {
        "jobId": global_id("Job", other_job), "candidateId": global_id("Candidate", fresh)}},
        as_=issuer.token(RECRUITER_B))  # fmt: skip
    assert submitted["data"]["submitCandidate"]["userErrors"] == []
    moved = await gql(cached, MOVE, {"input": {
        "id": global_id("Submission", theirs), "stage": "SCREENING"}},
        as_=issuer.token(HR))  # fmt: skip
    assert moved["data"]["moveSubmission"]["userErrors"] == []
    await _still_cached(cached, reads, before, mongo_commands)


async def test_a_new_submission_reaches_every_list_of_its_job_and_recruiter(
    cached: httpx.AsyncClient, issuer: Issuer, mongo_commands: CommandCounter
) -> None:
    world = await make_world()
    stage_list = """query($id: ID!) { node(id: $id) { ... on Job {
      submissions(first: 10, stage: SUBMITTED) { nodes { candidate { fullName } } } } } }"""
    job_read = Read(stage_list, {"id": global_id("Job", world.job)}, issuer.token(HR))
    recruiter_read = Read(RECRUITER, {"id": global_id("Recruiter", world.recruiter_a)},
                          issuer.token(RECRUITER_A))  # fmt: skip
    before = await _store(cached, [job_read, recruiter_read, Read(OPEN_JOBS)],
                          mongo_commands)  # fmt: skip
    submitted = await gql(cached, SUBMIT, {"input": {
        "jobId": global_id("Job", world.job), "candidateId": global_id("Candidate",
        world.candidate_a)}}, as_=issuer.token(RECRUITER_A))  # fmt: skip
    assert submitted["data"]["submitCandidate"]["userErrors"] == []
    listed = (await _read(cached, job_read))["node"]["submissions"]["nodes"]
    assert listed == [{"candidate": {"fullName": world.candidate_a.full_name}}]
    mine = (await _read(cached, recruiter_read))["node"]["submissions"]["nodes"]
    assert mine == [{"stage": "SUBMITTED"}]
    # the public job list shows nothing that changed: it stays cached
    await _still_cached(cached, [Read(OPEN_JOBS)], before[2:], mongo_commands)
    moved_id = await _read(
        cached,
        Read(
            """query($id: ID!) { node(id: $id) { ... on Job { submissions(first: 1) {
        nodes { id } } } } }""",
            {"id": global_id("Job", world.job)},
            issuer.token(HR),
        ),
    )
    submission = moved_id["node"]["submissions"]["nodes"][0]["id"]
    moved = await gql(cached, MOVE, {"input": {"id": submission, "stage": "SCREENING"}},
                      as_=issuer.token(HR))  # fmt: skip
    assert moved["data"]["moveSubmission"]["userErrors"] == []
    assert (await _read(cached, job_read))["node"]["submissions"]["nodes"] == []
