"""Helpers the job mutation tests share: a caller, roles, and the hiring company."""

from __future__ import annotations

from crowdhire.models import Company, CompanyMember
from crowdhire.models.companies import MemberRole
from tests.auth_support import Issuer
from tests.factories import make_company, make_recruiter

HR, OTHER_HR, RECRUITER = "auth0|hr", "auth0|other-hr", "auth0|recruiter"
READ = "query($id: ID!) { node(id: $id) { ... on Job { title status feeTerms { percent } } } }"
PUBLIC_READ = "query($id: ID!) { node(id: $id) { ... on Job { title status } } }"
MOVES = {
    name: f"""mutation($input: {name[0].upper() + name[1:]}Input!) {{
  {name}(input: $input) {{ job {{ status openedAt }} userErrors {{ field code message }} }} }}"""
    for name in ("publishJob", "pauseJob", "closeJob")
}


def token_for(issuer: Issuer, who: str | None) -> str | None:
    """A bearer token for a role name (None: anonymous)."""
    if who is None:
        return None
    return issuer.admin_token() if who == "admin" else issuer.token(who)


async def make_hiring_company() -> Company:
    """The hiring company (HR is a member), another company (OTHER_HR) and a recruiter."""
    hiring, other = await make_company(), await make_company()
    await CompanyMember(company_id=hiring.id, sub=HR).insert()
    await CompanyMember(company_id=other.id, sub=OTHER_HR, role=MemberRole.OWNER).insert()
    await make_recruiter(sub=RECRUITER)
    return hiring
