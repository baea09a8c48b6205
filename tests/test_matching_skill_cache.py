"""The shortlist's in-process skills: filled by rankings, dropped on every change, never scored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from bson import ObjectId
from starlette.applications import Starlette

from crowdhire.matching.embeddings import TextEncoder
from crowdhire.matching.service import MatchingService
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models import Candidate, Job, Recruiter
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.server import task_handlers
from crowdhire.tasks.worker import TaskWorker
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_candidate, make_company, make_job, make_recruiter
from tests.support import global_id, gql

RANKED = """query($id: ID!) { node(id: $id) { ... on Job { recommendedCandidates {
  nodes { candidate { fullName } match { components { name reason } } } } } } }"""
UPDATE = """mutation($input: UpdateCandidateInput!) {
  updateCandidate(input: $input) { userErrors { code } } }"""
OPT_OUT = """mutation($input: SetCandidateAutomatedRankingInput!) {
  setCandidateAutomatedRanking(input: $input) { userErrors { code } } }"""


@dataclass
class Setting:
    """A job wanting python and postgresql, Rita and one of her candidates, all embedded."""

    app: Starlette
    http: httpx.AsyncClient
    matching: MatchingService
    worker: TaskWorker
    job: Job
    rita: Recruiter
    person: Candidate


@pytest.fixture
async def setting(app_factory: AppFactory, text_encoder: TextEncoder) -> AsyncIterator[Setting]:
    """Its own app; the test drains the queue itself."""
    async with app_factory(worker_enabled=False) as (app, http):
        services = app.state.services
        worker = TaskWorker(task_handlers(services.settings, services.cache, services.matching))
        job = await make_job(await make_company(), title="Backend Engineer", skills=[],
                             must_have_skills=["python", "postgresql"])  # fmt: skip
        rita = await make_recruiter(sub="auth0|rita")
        person = await make_candidate(rita, full_name="Ada Backend", skills=["python"])
        assert job.id is not None and person.id is not None
        await enqueue_embedding(EmbeddedKind.JOB, job.id)
        await enqueue_embedding(EmbeddedKind.CANDIDATE, person.id)
        assert await worker.drain() == 2
        yield Setting(app, http, services.matching, worker, job, rita, person)


async def _must_have_reason(setting: Setting, issuer: Issuer) -> str:
    data = (await gql(setting.http, RANKED, {"id": global_id("Job", setting.job)},
                      as_=issuer.token("auth0|rita")))["data"]  # fmt: skip
    (node,) = data["node"]["recommendedCandidates"]["nodes"]
    (reason,) = [c["reason"] for c in node["match"]["components"] if c["name"] == "mustHave"]
    assert isinstance(reason, str)
    return reason


async def test_scores_read_mongodb_even_while_the_shortlist_skills_are_older(
    setting: Setting, issuer: Issuer
) -> None:
    assert setting.person.id is not None
    first = await _must_have_reason(setting, issuer)
    cached, _ = setting.matching.skills.split([setting.person.id])
    # Another instance's edit, before this instance's poll has read its new embedding row.
    await Candidate.get_pymongo_collection().update_one(
        {"_id": setting.person.id}, {"$set": {"skills": ["python", "postgres"]}}
    )

    second = await _must_have_reason(setting, issuer)

    assert first == "1 of 2 must-have skills; missing: postgresql"
    assert cached == {setting.person.id: ("python",)}
    assert second == "2 of 2 must-have skills"


async def test_every_change_of_the_person_drops_their_entry(
    setting: Setting, issuer: Issuer
) -> None:
    person_id, skills = setting.person.id, setting.matching.skills
    assert person_id is not None
    token = issuer.token("auth0|rita")
    await _must_have_reason(setting, issuer)
    edit = {"candidateId": global_id("Candidate", setting.person), "skills": ["python", "pg"]}

    await gql(setting.http, UPDATE, {"input": edit}, as_=token)
    await setting.worker.drain()  # this instance's worker embeds the edit
    after_edit = skills.split([person_id])
    await _must_have_reason(setting, issuer)
    refilled = skills.split([person_id])
    other_instance = MatchingService()
    await other_instance.refresh()  # its start-up build
    other_instance.skills.put_many({person_id: ("python",)}, other_instance.skills.epoch)
    await gql(setting.http, UPDATE, {"input": {**edit, "skills": ["rust"]}}, as_=token)
    await setting.worker.drain()
    await other_instance.refresh()  # its poll reads the rewritten embedding row
    optout = {
        "candidateId": global_id("Candidate", setting.person),
        "automatedRanking": "OPTED_OUT",
    }
    await _refill(setting, issuer)
    await gql(setting.http, OPT_OUT, {"input": optout}, as_=token)

    assert after_edit == ({}, [person_id])
    assert refilled == ({person_id: ("python", "pg")}, [])
    assert other_instance.skills.split([person_id]) == ({}, [person_id])
    assert skills.split([person_id]) == ({}, [person_id])


async def _refill(setting: Setting, issuer: Issuer) -> None:
    await gql(setting.http, RANKED, {"id": global_id("Job", setting.job)},
              as_=issuer.token("auth0|rita"))  # fmt: skip
    assert setting.person.id is not None
    assert setting.matching.skills.split([setting.person.id])[1] == []


def test_a_read_that_raced_a_change_is_not_kept() -> None:
    service = MatchingService()
    person = ObjectId()
    read_began = service.skills.epoch

    service.skills.forget(person)  # the poll saw a change while the read was in flight
    service.skills.put_many({person: ("old",)}, read_began)

    assert service.skills.split([person]) == ({}, [person])
