"""The explained score on plain profiles: components, reasons, aliases, protected fields."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from starlette.applications import Starlette

from crowdhire.matching.profiles import (
    CandidateProfile,
    DesiredSalary,
    JobProfile,
    SalaryBand,
    candidate_profile,
    job_profile,
)
from crowdhire.matching.score import WEIGHTS, Component, score
from crowdhire.models import Candidate, Job
from crowdhire.models.common import Money
from crowdhire.models.jobs import FeeTerms, RemotePolicy, SalaryRange

JOB = JobProfile(
    title="Platform Engineer",
    description="Run our Kubernetes clusters.",
    must_have=("kubernetes", "terraform", "go", "postgresql", "linux"),
    nice_to_have=("kafka",),
    min_years=3,
    max_years=8,
    location="Berlin",
    remote_policy=RemotePolicy.REMOTE,
    salary=SalaryBand(70_000_00, 90_000_00, "EUR"),
    languages=("english", "german"),
)
PERSON = CandidateProfile(
    headline="Cloud operations specialist",
    summary="Keeps production running.",
    skills=("k8s", "golang", "postgres", "linux"),
    years_experience=5,
    location="Paris",
    open_to_remote=True,
    desired_salary=DesiredSalary(80_000_00, "EUR"),
    languages=("english",),
)


def _by_name(
    job: JobProfile, person: CandidateProfile, cosine: float | None = None
) -> dict[str, Component]:
    return {c.name: c for c in score(job, person, cosine=cosine).components}


def test_every_component_is_named_weighted_valued_and_explained() -> None:
    parts = _by_name(JOB, PERSON, cosine=0.5)

    assert set(parts) == set(WEIGHTS)
    assert all(parts[name].weight == WEIGHTS[name] for name in parts)
    must = parts["mustHave"]
    assert must.reason == "4 of 5 must-have skills; missing: terraform"
    assert must.value == 0.8
    assert parts["location"].reason == "remote job, candidate open to remote"
    assert parts["salary"].reason == "desired salary within the job's range"
    assert parts["language"].reason == "speaks 1 of 2 languages; missing: german"
    assert parts["experience"].reason == "5 years, within the job's range"
    total = score(JOB, PERSON, cosine=0.5).score
    assert 0 <= total <= 100


def test_aliases_count_as_the_same_skill() -> None:
    job = JobProfile("x", "", must_have=("kubernetes", "postgresql", "go"))
    person = CandidateProfile("", "", skills=("K8s", "postgres", "golang"))

    assert _by_name(job, person)["mustHave"].value == 1.0


def test_undecidable_components_weigh_nothing_and_say_why() -> None:
    job = JobProfile("x", "", must_have=("python",), salary=SalaryBand(1, 2, "USD"))
    person = CandidateProfile("", "", skills=("python",), desired_salary=DesiredSalary(1, "EUR"))

    parts = _by_name(job, person)

    assert parts["salary"].weight == 0
    assert parts["salary"].reason == "unknown: different currencies"
    assert parts["semantic"].weight == 0
    assert parts["semantic"].reason.startswith("not embedded yet")
    assert score(job, person).score == 100.0  # only decided components count


def test_a_poorer_fit_scores_lower() -> None:
    weak = CandidateProfile("", "", skills=("excel",), years_experience=0, location="Lima")

    assert score(JOB, weak, cosine=0.1).score < score(JOB, PERSON, cosine=0.5).score


def _job(**fields: object) -> Job:
    terms = FeeTerms(percent=20, currency="EUR")
    values: dict[str, object] = {"company_id": ObjectId(), "title": "Backend", "fee_terms": terms,
                                 "salary": SalaryRange(min=1, max=2, currency="EUR")}  # fmt: skip
    return Job(**(values | fields))


def test_skills_are_the_must_haves_when_the_job_has_only_that_list(app: Starlette) -> None:
    assert job_profile(_job(skills=["python", "go"])).must_have == ("python", "go")
    split = _job(skills=["python"], must_have_skills=["rust"], nice_to_have_skills=["go"])
    assert job_profile(split).must_have == ("rust",)
    assert job_profile(_job(skills=["python"], nice_to_have_skills=["go"])).must_have == ()


def test_name_contact_and_links_never_change_a_score(app: Starlette) -> None:
    job = _job(skills=["python", "postgresql"], remote_policy=RemotePolicy.HYBRID)
    shared: dict[str, Any] = {
        "recruiter_id": ObjectId(),
        "headline": "Backend developer",
        "location": "Berlin",
        "skills": ["python"],
        "years_experience": 4,
        "summary": "APIs all day.",
        "desired_salary": Money(amount=1, currency="EUR"),
        "languages": ["english"],
    }
    first = Candidate(
        full_name="Ada Quill", email="ada@example.test", phone="+4930123456",
        links=["https://ada.example.test"], **shared,
    )  # fmt: skip
    second = Candidate(
        full_name="Bob Stone", email="bob@example.org", phone="+33142000000",
        links=["https://github.com/bob", "https://bob.example"], **shared,
    )  # fmt: skip

    one = score(job_profile(job), candidate_profile(first), cosine=0.42)
    other = score(job_profile(job), candidate_profile(second), cosine=0.42)

    assert one == other
    assert candidate_profile(first) == candidate_profile(second)
