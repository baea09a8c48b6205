"""Turn verified claims into a Viewer with roles from our data."""

from __future__ import annotations

from crowdhire.auth.tokens import Claims
from crowdhire.auth.viewer import ANONYMOUS, Viewer
from crowdhire.loaders.roles import RolesBySubLoader


async def viewer_for(claims: Claims | None, roles: RolesBySubLoader) -> Viewer:
    """Anonymous without claims; admins need no lookup; others get recruiter/company roles."""
    if claims is None:
        return ANONYMOUS
    viewer = Viewer(sub=claims.sub, permissions=claims.permissions)
    if viewer.is_admin:
        return viewer
    found = await roles.load(claims.sub)
    return viewer.with_roles(found.recruiter_id, found.company_roles)
