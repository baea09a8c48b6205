"""A small recruiting world for the submission/hire tests: a company, two recruiters, a job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crowdhire.models import Candidate, Company, CompanyMember, Job, Recruiter
from crowdhire.models.companies import MemberRole
from tests.auth_support import Issuer
from tests.factories import make_candidate, make_company, make_job, make_recruiter

HR = "auth0|hr"  # member of the hiring company
OTHER_HR = "auth0|other-hr"  # member of another company
RECRUITER_A = "auth0|recruiter-a"
RECRUITER_B = "auth0|recruiter-b"


@dataclass
class World:
    """The hiring company with its job, and two recruiters with a candidate each."""

    company: Company
    other_company: Company
    job: Job
    recruiter_a: Recruiter
    recruiter_b: Recruiter
    candidate_a: Candidate
    candidate_b: Candidate

    def token(self, issuer: Issuer, who: str | None) -> str | None:
        """A bearer token for a named role (None: anonymous)."""
        if who is None:
            return None
        return issuer.admin_token() if who == "admin" else issuer.token(who)


async def make_world(**job_fields: Any) -> World:
    """Insert the world: HR is a member of `company`, OTHER_HR of `other_company`."""
    company, other = await make_company(), await make_company()
    await CompanyMember(company_id=company.id, sub=HR, role=MemberRole.OWNER).insert()
    await CompanyMember(company_id=other.id, sub=OTHER_HR, role=MemberRole.OWNER).insert()
    recruiter_a = await make_recruiter(sub=RECRUITER_A)
    recruiter_b = await make_recruiter(sub=RECRUITER_B)
    return World(
        company=company,
        other_company=other,
        job=await make_job(company, **job_fields),
        recruiter_a=recruiter_a,
        recruiter_b=recruiter_b,
        candidate_a=await make_candidate(recruiter_a),
        candidate_b=await make_candidate(recruiter_b),
    )
