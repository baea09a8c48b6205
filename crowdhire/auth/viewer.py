"""Who is calling: identity from the verified token, roles from our own data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bson import ObjectId

from crowdhire.models.companies import MemberRole

ADMIN_PERMISSION = "admin:all"


@dataclass(frozen=True, eq=False)
class Viewer:
    """The caller: anonymous, or an Auth0 subject with RBAC permissions and our roles."""

    sub: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    recruiter_id: ObjectId | None = None
    company_roles: Mapping[ObjectId, MemberRole] = field(default_factory=dict)

    @property
    def is_anonymous(self) -> bool:
        """True when no verified token came with the request."""
        return self.sub is None

    @property
    def is_admin(self) -> bool:
        """Staff: the `permissions` claim holds `admin:all`."""
        return ADMIN_PERMISSION in self.permissions

    @property
    def is_recruiter(self) -> bool:
        """A Recruiter document exists for this subject."""
        return self.recruiter_id is not None

    @property
    def company_ids(self) -> frozenset[ObjectId]:
        """Companies this subject is a member of."""
        return frozenset(self.company_roles)

    def is_member_of(self, company_id: ObjectId) -> bool:
        """True for owners and members of the company."""
        return company_id in self.company_roles

    def is_owner_of(self, company_id: ObjectId) -> bool:
        """True for the company's owners."""
        return self.company_roles.get(company_id) is MemberRole.OWNER

    def with_roles(
        self, recruiter_id: ObjectId | None, company_roles: Mapping[ObjectId, MemberRole]
    ) -> Viewer:
        """The same identity with roles looked up in our data."""
        return replace(self, recruiter_id=recruiter_id, company_roles=dict(company_roles))


ANONYMOUS = Viewer()
