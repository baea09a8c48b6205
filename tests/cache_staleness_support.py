"""Every mutation of the schema, each with reads its change shows: the staleness test's cases.

A case is built on a fresh world; its reads are stored in the response cache before the
mutation runs, and must afterwards answer what an uncached server answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from crowdhire.models import CompanyMember
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.jobs import JobStatus
from crowdhire.models.submissions import Stage
from tests.auth_support import Issuer
from tests.factories import make_job, make_placement, make_submission
from tests.support import global_id
from tests.workflow_support import HR, RECRUITER_A, World

COMPANY = """query($id: ID!) { node(id: $id) { ... on Company {
  name members { sub role } jobs(first: 20) { nodes { title status } } } } }"""
JOB = """query($id: ID!) { node(id: $id) { ... on Job { title status
  submissions(first: 10) { nodes { stage candidate { fullName } } }
  placements(first: 5) { nodes { departureDate } } } } }"""
OPEN_JOBS = "{ jobs(first: 50) { nodes { title status } } }"
CANDIDATE = """query($id: ID!) { node(id: $id) { ... on Candidate {
  fullName legalHold automatedRanking erasedAt consent { status requestedAt lastSentAt }
  submissions(first: 5) { nodes { stage } } } } }"""
RECRUITER = """query($id: ID!) { node(id: $id) { ... on Recruiter { displayName bio
  candidates(first: 20) { nodes { fullName } } submissions(first: 10) { nodes { stage } } } } }"""
RECRUITERS = "{ recruiters(first: 50) { nodes { displayName } } }"
COMPANIES = "{ companies(first: 50) { nodes { name } } }"
AUDIT = "{ auditEvents(first: 3) { nodes { action } } }"


def mutation_document(name: str) -> str:
    """The mutation with its user errors only (what changed is read back through queries)."""
    input_type = name[0].upper() + name[1:] + "Input"
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ userErrors {{ field code message }} }} }}"""


@dataclass
class Read:
    """A query as a viewer (None: anonymous); `changes`: the mutation must change its answer."""

    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    token: str | None = None
    changes: bool = True


@dataclass
class Case:
    """The reads to store, then the mutation (its input, as whom)."""

    reads: list[Read]
    input: dict[str, Any]
    token: str | None


Builder = Callable[[World, Issuer], Awaitable[Case]]
CASES: dict[str, Builder] = {}


def case(name: str) -> Callable[[Builder], Builder]:
    """Register the case of mutation `name`."""

    def register(builder: Builder) -> Builder:
        CASES[name] = builder
        return builder

    return register


def _company(w: World, i: Issuer) -> Read:
    return Read(COMPANY, {"id": global_id("Company", w.company)}, i.token(HR))


def _job(w: World, i: Issuer) -> Read:
    return Read(JOB, {"id": global_id("Job", w.job)}, i.token(HR))


def _candidate(w: World, i: Issuer, candidate: Any = None) -> Read:
    target = candidate or w.candidate_a
    return Read(CANDIDATE, {"id": global_id("Candidate", target)}, i.token(RECRUITER_A))


def _recruiter(w: World, i: Issuer) -> Read:
    return Read(RECRUITER, {"id": global_id("Recruiter", w.recruiter_a)}, i.token(RECRUITER_A))


def _audit(i: Issuer) -> Read:
    return Read(AUDIT, token=i.admin_token())


@case("addCompanyMember")
async def _add_member(w: World, i: Issuer) -> Case:
    member = {"companyId": global_id("Company", w.company), "sub": "auth0|new", "role": "MEMBER"}
    return Case([_company(w, i), _audit(i)], member, i.token(HR))


@case("removeCompanyMember")
async def _remove_member(w: World, i: Issuer) -> Case:
    await CompanyMember(company_id=w.company.id, sub="auth0|leaving").insert()
    member = {"companyId": global_id("Company", w.company), "sub": "auth0|leaving"}
    return Case([_company(w, i), _audit(i)], member, i.token(HR))


@case("createCompany")
async def _create_company(w: World, i: Issuer) -> Case:
    reads = [Read(COMPANIES, token=i.admin_token()), _audit(i)]
    return Case(reads, {"name": "Newco", "slug": "newco-staleness"}, i.admin_token())


@case("updateCompany")
async def _update_company(w: World, i: Issuer) -> Case:
    change = {"companyId": global_id("Company", w.company), "name": "Renamed GmbH"}
    return Case([_company(w, i), Read(COMPANIES, token=i.admin_token()), _audit(i)], change,
                i.token(HR))  # fmt: skip


@case("createJob")
async def _create_job(w: World, i: Issuer) -> Case:
    job = {"companyId": global_id("Company", w.company), "title": "Brand new role",
           "feeTerms": {"currency": "EUR", "percent": 20}}  # fmt: skip
    return Case([_company(w, i), _audit(i)], job, i.token(HR))


@case("updateJob")
async def _update_job(w: World, i: Issuer) -> Case:
    reads = [_job(w, i), Read(OPEN_JOBS), _company(w, i), _audit(i)]
    return Case(reads, {"jobId": global_id("Job", w.job), "title": "Renamed role"}, i.token(HR))


async def _job_move(w: World, i: Issuer, status: JobStatus) -> Case:
    job = await make_job(w.company, status=status, title=f"Role in {status.value}")
    reads = [Read(OPEN_JOBS), _company(w, i), _audit(i)]
    return Case(reads, {"jobId": global_id("Job", job)}, i.token(HR))


@case("publishJob")
async def _publish(w: World, i: Issuer) -> Case:
    return await _job_move(w, i, JobStatus.DRAFT)


@case("pauseJob")
async def _pause(w: World, i: Issuer) -> Case:
    return await _job_move(w, i, JobStatus.OPEN)


@case("closeJob")
async def _close(w: World, i: Issuer) -> Case:
    return await _job_move(w, i, JobStatus.OPEN)


@case("registerRecruiter")
async def _register(w: World, i: Issuer) -> Case:
    profile = {"displayName": "Fresh Recruiter", "email": "fresh@example.test"}
    reads = [Read(RECRUITERS, token=i.admin_token()), _audit(i)]
    return Case(reads, profile, i.token("auth0|fresh-recruiter"))


@case("updateRecruiterProfile")
async def _update_recruiter(w: World, i: Issuer) -> Case:
    reads = [_recruiter(w, i), Read(RECRUITERS, token=i.admin_token()), _audit(i)]
    return Case(reads, {"displayName": "Renamed Recruiter"}, i.token(RECRUITER_A))


@case("createCandidate")
async def _create_candidate(w: World, i: Issuer) -> Case:
    return Case([_recruiter(w, i), _audit(i)], {"fullName": "New Person"}, i.token(RECRUITER_A))


def _candidate_input(w: World, **extra: Any) -> dict[str, Any]:
    return {"candidateId": global_id("Candidate", w.candidate_a), **extra}


@case("updateCandidate")
async def _update_candidate(w: World, i: Issuer) -> Case:
    await make_submission(w.job, w.candidate_a)
    reads = [_candidate(w, i), _recruiter(w, i), _job(w, i), _audit(i)]
    return Case(reads, _candidate_input(w, fullName="Renamed Person"), i.token(RECRUITER_A))


async def _pending(w: World) -> None:
    w.candidate_a.consent = Consent(status=ConsentStatus.PENDING)
    await w.candidate_a.save()


@case("requestCandidateConsent")
async def _request_consent(w: World, i: Issuer) -> Case:
    await _pending(w)
    return Case([_candidate(w, i), _audit(i)], _candidate_input(w), i.token(RECRUITER_A))


@case("resendCandidateConsent")
async def _resend_consent(w: World, i: Issuer) -> Case:
    await _pending(w)
    reads = [_candidate(w, i), _audit(i)]
    reads[0].changes = False  # the email's time shows once the queued email leaves
    return Case(reads, _candidate_input(w), i.token(RECRUITER_A))


@case("revokeCandidateConsent")
async def _revoke_consent(w: World, i: Issuer) -> Case:
    return Case([_candidate(w, i), _audit(i)], _candidate_input(w), i.admin_token())


@case("exportCandidateData")
async def _export(w: World, i: Issuer) -> Case:
    reads = [_candidate(w, i), _audit(i)]
    reads[0].changes = False  # an export changes no data, only the audit trail
    return Case(reads, _candidate_input(w), i.token(RECRUITER_A))


@case("eraseCandidate")
async def _erase(w: World, i: Issuer) -> Case:
    await make_submission(w.job, w.candidate_a)
    reads = [_candidate(w, i), _recruiter(w, i), _job(w, i), _audit(i)]
    return Case(reads, _candidate_input(w), i.admin_token())


@case("setCandidateLegalHold")
async def _legal_hold(w: World, i: Issuer) -> Case:
    reads = [_candidate(w, i), _audit(i)]
    return Case(reads, _candidate_input(w, legalHold=True), i.admin_token())


@case("setCandidateAutomatedRanking")
async def _ranking(w: World, i: Issuer) -> Case:
    reads = [_candidate(w, i), _audit(i)]
    choice = _candidate_input(w, automatedRanking="OPTED_OUT")
    return Case(reads, choice, i.token(RECRUITER_A))


@case("submitCandidate")
async def _submit(w: World, i: Issuer) -> Case:
    reads = [_job(w, i), _recruiter(w, i), _candidate(w, i), _audit(i)]
    submission = {"jobId": global_id("Job", w.job), "candidateId": global_id("Candidate",
                  w.candidate_a)}  # fmt: skip
    return Case(reads, submission, i.token(RECRUITER_A))


async def _submission_case(w: World, i: Issuer, at: Stage, **extra: Any) -> Case:
    submission = await make_submission(w.job, w.candidate_a, stage=at)
    reads = [_job(w, i), _recruiter(w, i), _candidate(w, i), _audit(i)]
    return Case(reads, {"id": global_id("Submission", submission), **extra}, i.token(HR))


@case("moveSubmission")
async def _move(w: World, i: Issuer) -> Case:
    return await _submission_case(w, i, Stage.SUBMITTED, stage="SCREENING")


@case("withdrawSubmission")
async def _withdraw(w: World, i: Issuer) -> Case:
    found = await _submission_case(w, i, Stage.SCREENING)
    found.token = i.token(RECRUITER_A)
    return found


@case("hireSubmission")
async def _hire(w: World, i: Issuer) -> Case:
    salary = {"amount": 75_000_00, "currency": "EUR"}
    return await _submission_case(w, i, Stage.OFFER, startDate="2026-05-01", annualSalary=salary)


@case("recordPlacementDeparture")
async def _departure(w: World, i: Issuer) -> Case:
    submission = await make_submission(w.job, w.candidate_a, stage=Stage.HIRED)
    placement = await make_placement(submission, w.job)
    reads = [_job(w, i), _audit(i)]
    departure = {"placementId": global_id("Placement", placement), "date": "2026-04-01"}
    return Case(reads, departure, i.token(HR))
