"""submitCandidate: rules, races, ownership of a candidacy, idempotency, audit and cache."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from bson import ObjectId

from crowdhire.models import AuditEvent, Candidate, Submission
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.jobs import JobStatus
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.factories import make_candidate, make_job
from tests.support import codes, global_id, gql
from tests.workflow_support import HR, RECRUITER_A, RECRUITER_B, World, make_world

SUBMIT = """mutation($input: SubmitCandidateInput!) {
  submitCandidate(input: $input) {
    submission { id stage pitch history { fromStage toStage actor note } job { title } }
    userErrors { field code message }
  }
}"""
SUBMISSION = "query($id: ID!) { node(id: $id) { ... on Submission { stage history { toStage } } } }"
JOB_SUBMISSIONS = """query($id: ID!) { node(id: $id) { ... on Job {
  submissions { totalCount nodes { stage candidate { fullName } } } } } }"""


@pytest.fixture
async def world(app: Any) -> World:
    """Company, job, two recruiters with one consenting candidate each."""
    return await make_world()


def submit_input(world: World, candidate: Candidate, **overrides: Any) -> dict[str, Any]:
    """submitCandidate's input for the world's job."""
    return {"jobId": global_id("Job", world.job), "candidateId": global_id("Candidate", candidate),
            "pitch": "Great fit", **overrides}  # fmt: skip


async def test_recruiter_submits_and_the_company_sees_it_on_the_next_query(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    hr = issuer.token(HR)
    job_id = global_id("Job", world.job)
    before = (await gql(anonymous_client, JOB_SUBMISSIONS, variables={"id": job_id}, as_=hr))[
        "data"
    ]

    data = (
        await gql(
            anonymous_client,
            SUBMIT,
            variables={"input": submit_input(world, world.candidate_a)},
            as_=issuer.token(RECRUITER_A),
        )
    )["data"]
    after = (await gql(anonymous_client, JOB_SUBMISSIONS, variables={"id": job_id}, as_=hr))["data"]

    payload = data["submitCandidate"]
    assert payload["userErrors"] == []
    assert payload["submission"]["stage"] == "SUBMITTED"
    assert payload["submission"]["pitch"] == "Great fit"
    assert payload["submission"]["history"] == [
        {"fromStage": None, "toStage": "SUBMITTED", "actor": RECRUITER_A, "note": ""}
    ]
    assert before["node"]["submissions"]["totalCount"] == 0
    assert after["node"]["submissions"]["totalCount"] == 1
    stored = await Submission.find_one({"candidate_id": world.candidate_a.id})
    assert stored is not None
    assert stored.company_id == world.company.id
    assert stored.recruiter_id == world.recruiter_a.id
    events = await AuditEvent.find({"action": "submitCandidate"}).to_list()
    assert [e.actor_sub for e in events] == [RECRUITER_A]
    assert events[0].targets["submission"] == str(stored.id)
    dumped = str(events[0].model_dump())
    assert str(world.candidate_a.email) not in dumped and "Great fit" not in dumped


@pytest.mark.parametrize(
    ("who", "case", "field", "code"),
    [
        (None, "plain", [], "UNAUTHENTICATED"),
        (HR, "plain", [], "FORBIDDEN"),
        ("admin", "plain", [], "FORBIDDEN"),
        (RECRUITER_A, "bad-job-id", ["jobId"], "INVALID_INPUT"),
        (RECRUITER_A, "bad-candidate-id", ["candidateId"], "INVALID_INPUT"),
        (RECRUITER_A, "long-pitch", ["pitch"], "INVALID_INPUT"),
        (RECRUITER_A, "missing-job", ["jobId"], "JOB_NOT_FOUND"),
        (RECRUITER_A, "draft-job", ["jobId"], "JOB_NOT_FOUND"),
        (RECRUITER_A, "paused-job", ["jobId"], "JOB_NOT_OPEN"),
        (RECRUITER_A, "someone-elses-candidate", ["candidateId"], "CANDIDATE_NOT_FOUND"),
        (RECRUITER_A, "missing-candidate", ["candidateId"], "CANDIDATE_NOT_FOUND"),
        (RECRUITER_A, "pending-consent", ["candidateId"], "CONSENT_REQUIRED"),
        (RECRUITER_A, "revoked-consent", ["candidateId"], "CONSENT_REQUIRED"),
    ],
)
async def test_submit_user_errors_change_nothing(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    world: World,
    who: str | None,
    case: str,
    field: list[str],
    code: str,
) -> None:
    request = submit_input(world, world.candidate_a)
    if case == "bad-job-id":
        request["jobId"] = "garbage"
    elif case == "bad-candidate-id":
        request["candidateId"] = global_id("Job", world.job)  # an id of the wrong type
    elif case == "long-pitch":
        request["pitch"] = "x" * 2001
    elif case == "missing-job":
        request["jobId"] = encode_global_id("Job", ObjectId())
    elif case in {"draft-job", "paused-job"}:
        status = JobStatus.DRAFT if case == "draft-job" else JobStatus.PAUSED
        request["jobId"] = global_id("Job", await make_job(world.company, status=status))
    elif case == "someone-elses-candidate":
        request["candidateId"] = global_id("Candidate", world.candidate_b)
    elif case == "missing-candidate":
        request["candidateId"] = encode_global_id("Candidate", ObjectId())
    elif case in {"pending-consent", "revoked-consent"}:
        consent = ConsentStatus.PENDING if case == "pending-consent" else ConsentStatus.REVOKED
        candidate = await make_candidate(world.recruiter_a, consent=Consent(status=consent))
        request["candidateId"] = global_id("Candidate", candidate)

    data = (
        await gql(
            anonymous_client, SUBMIT, variables={"input": request}, as_=world.token(issuer, who)
        )
    )["data"]

    payload = data["submitCandidate"]
    assert payload["submission"] is None
    assert codes(payload) == [(field, code)]
    assert await Submission.find_all().count() == 0
    assert await AuditEvent.find_all().count() == 0


async def test_a_second_submission_of_the_same_candidate_is_refused(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    token = issuer.token(RECRUITER_A)
    request = submit_input(world, world.candidate_a)

    first = (await gql(anonymous_client, SUBMIT, variables={"input": request}, as_=token))["data"]
    second = (
        await gql(
            anonymous_client, SUBMIT, variables={"input": {**request, "pitch": "again"}}, as_=token
        )
    )["data"]

    assert first["submitCandidate"]["userErrors"] == []
    assert codes(second["submitCandidate"]) == [(["candidateId"], "ALREADY_SUBMITTED")]
    assert await Submission.find_all().count() == 1
    assert await AuditEvent.find({"action": "submitCandidate"}).count() == 1


async def _same_person_for_b(world: World) -> Candidate:
    """Recruiter B's record of candidate A's person, stored before matching keys existed."""
    assert world.candidate_a.email is not None and world.candidate_a.phone is not None
    legacy = await make_candidate(world.recruiter_b, full_name="Same Person")
    collection = Candidate.get_pymongo_collection()
    await collection.update_one(
        {"_id": legacy.id},
        {"$set": {"email": world.candidate_a.email.upper(), "phone": world.candidate_a.phone},
         "$unset": {"email_normalized": "", "phone_normalized": ""}},
    )  # fmt: skip
    found = await Candidate.get(legacy.id)
    assert found is not None
    return found


async def test_first_valid_submitter_of_a_person_owns_the_candidacy(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    same_person = await _same_person_for_b(world)

    first = (
        await gql(
            anonymous_client,
            SUBMIT,
            variables={"input": submit_input(world, world.candidate_a)},
            as_=issuer.token(RECRUITER_A),
        )
    )["data"]
    later = (
        await gql(
            anonymous_client,
            SUBMIT,
            variables={"input": submit_input(world, same_person)},
            as_=issuer.token(RECRUITER_B),
        )
    )["data"]

    assert first["submitCandidate"]["userErrors"] == []
    assert later["submitCandidate"]["submission"] is None
    assert later["submitCandidate"]["userErrors"] == [{
        "field": ["candidateId"], "code": "ALREADY_SUBMITTED",
        "message": "This candidate was already submitted to this job"}]  # fmt: skip
    owners = [s.recruiter_id async for s in Submission.find_all()]
    assert owners == [world.recruiter_a.id]


@pytest.mark.parametrize("rounds", [5])
async def test_concurrent_submissions_of_one_person_leave_exactly_one_owner(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World, rounds: int
) -> None:
    same_person = await _same_person_for_b(world)
    jobs = [world.job] + [await make_job(world.company) for _ in range(rounds - 1)]

    for job in jobs:
        request_a = {**submit_input(world, world.candidate_a), "jobId": global_id("Job", job)}
        request_b = {**submit_input(world, same_person), "jobId": global_id("Job", job)}
        a, b = await asyncio.gather(
            gql(
                anonymous_client,
                SUBMIT,
                variables={"input": request_a},
                as_=issuer.token(RECRUITER_A),
            ),
            gql(
                anonymous_client,
                SUBMIT,
                variables={"input": request_b},
                as_=issuer.token(RECRUITER_B),
            ),
        )
        a, b = a["data"], b["data"]
        outcomes = sorted(codes(p["submitCandidate"]) != [] for p in (a, b))
        assert outcomes == [False, True]  # one winner, one ALREADY_SUBMITTED
        loser = a if a["submitCandidate"]["userErrors"] else b
        assert codes(loser["submitCandidate"]) == [(["candidateId"], "ALREADY_SUBMITTED")]
        assert await Submission.find({"job_id": job.id}).count() == 1
    assert await AuditEvent.find({"action": "submitCandidate"}).count() == rounds


async def test_concurrent_double_submit_by_one_recruiter_creates_one_submission(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    token, request = issuer.token(RECRUITER_A), submit_input(world, world.candidate_a)

    results = await asyncio.gather(
        *(gql(anonymous_client, SUBMIT, variables={"input": request}, as_=token) for _ in range(3))
    )

    errors = [codes(r["data"]["submitCandidate"]) for r in results]
    assert errors.count([]) == 1
    assert sorted(map(str, errors)) == sorted(
        map(str, [[], *[[(["candidateId"], "ALREADY_SUBMITTED")]] * 2])
    )
    assert await Submission.find_all().count() == 1


async def test_client_mutation_id_retry_returns_the_same_submission(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, world: World
) -> None:
    token = issuer.token(RECRUITER_A)
    keyed = {**submit_input(world, world.candidate_a), "clientMutationId": "submit-1"}

    first = (await gql(anonymous_client, SUBMIT, variables={"input": keyed}, as_=token))["data"]
    retry = (await gql(anonymous_client, SUBMIT, variables={"input": keyed}, as_=token))["data"]
    reused = (
        await gql(
            anonymous_client, SUBMIT, variables={"input": {**keyed, "pitch": "other"}}, as_=token
        )
    )["data"]

    assert first["submitCandidate"]["userErrors"] == []
    assert retry == first
    assert codes(reused["submitCandidate"]) == [(["clientMutationId"], "IDEMPOTENCY_KEY_REUSED")]
    assert await Submission.find_all().count() == 1
