"""The permission matrix's scenario and roles, shared by the record- and field-level tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crowdhire.models import Candidate, Company, Job, Placement, Recruiter, Submission
from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.jobs import JobStatus
from crowdhire.models.submissions import Stage
from tests.auth_support import Issuer
from tests.factories import (
    make_candidate,
    make_company,
    make_job,
    make_placement,
    make_recruiter,
    make_submission,
)


@dataclass
class World:
    """Two companies, two recruiters, their candidates, submissions and a placement."""

    acme: Company
    globex: Company
    open_job: Job
    draft_job: Job
    rita: Recruiter
    sam: Recruiter
    interviewing: Candidate  # Rita's, submitted to Acme, reached interviewing
    submitted: Candidate  # Sam's, submitted to Acme, still at submitted
    rita_submission: Submission
    sam_submission: Submission
    placement: Placement


async def build_world() -> World:
    """The shared scenario every cell of the matrix reads."""
    acme, globex = await make_company(slug="acme"), await make_company(slug="globex")
    await CompanyMember(company_id=acme.id, sub="auth0|acme-owner", role=MemberRole.OWNER).insert()
    await CompanyMember(company_id=globex.id, sub="auth0|globex-member").insert()
    open_job = await make_job(acme, title="Open at Acme")
    draft_job = await make_job(acme, title="Draft at Acme", status=JobStatus.DRAFT)
    rita = await make_recruiter(sub="auth0|rita", display_name="Rita")
    sam = await make_recruiter(sub="auth0|sam", display_name="Sam")
    interviewing = await make_candidate(rita, full_name="Ivy Interviewing")
    submitted = await make_candidate(sam, full_name="Sue Submitted")
    rita_submission = await make_submission(open_job, interviewing, stage=Stage.INTERVIEWING)
    sam_submission = await make_submission(open_job, submitted)
    hired = await make_submission(
        draft_job, await make_candidate(rita, full_name="Hana Hired"), stage=Stage.HIRED
    )
    placement = await make_placement(hired, draft_job)
    return World(acme, globex, open_job, draft_job, rita, sam, interviewing, submitted,
                 rita_submission, sam_submission, placement)  # fmt: skip


ROLES = {
    "anonymous": None,
    "rita": ("auth0|rita", []),
    "sam": ("auth0|sam", []),
    "acme": ("auth0|acme-owner", []),
    "globex": ("auth0|globex-member", []),
    "admin": ("auth0|staff", ["admin:all"]),
}


def token_of(issuer: Issuer, role: str) -> str | None:
    """A bearer token for one of ROLES (None: anonymous)."""
    identity = ROLES[role]
    return issuer.token(identity[0], identity[1]) if identity is not None else None


def codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, code) of each error."""
    return [
        (".".join(str(p) for p in e.get("path", [])), e["extensions"]["code"])
        for e in body.get("errors", [])
    ]
