"""`crowdhire token`: bearer tokens for seeded demo users (dev mode only)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from pymongo import AsyncMongoClient

from crowdhire.auth.dev import mint_dev_token
from crowdhire.models.companies import MemberRole
from crowdhire.settings import Settings

DEV_ADMIN_SUB = "auth0|dev-admin"
DEMO_RECRUITER_SUB = "auth0|recruiter-001"
DEMO_COMPANY_OWNER_SUB = "auth0|company-001"


def _embedded_uri(settings: Settings) -> str | None:
    port_file = Path(settings.data_dir) / "mongo" / "devserver.port"
    if not port_file.exists():
        return None
    return f"mongodb://127.0.0.1:{port_file.read_text().strip()}/?directConnection=true"


async def _owner_of(settings: Settings, slug: str) -> str:
    uri = settings.mongodb_uri or _embedded_uri(settings)
    if uri is None:
        sys.exit("crowdhire: start `make run` first (or pass --sub) to look up a company")
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        uri, serverSelectionTimeoutMS=2000
    )
    try:
        database = client[settings.mongodb_db]
        company = await database["companies"].find_one({"slug": slug}, {"_id": 1})
        if company is None:
            sys.exit(f"crowdhire: no company with slug {slug!r}")
        member = await database["company_members"].find_one(
            {"company_id": company["_id"], "role": MemberRole.OWNER.value}, {"sub": 1}
        )
        if member is None:
            sys.exit(f"crowdhire: company {slug!r} has no owner")
        return str(member["sub"])
    finally:
        await client.close()


def dev_token(settings: Settings, role: str, sub: str | None, company: str | None) -> str:
    """A token for a demo admin, recruiter or company owner (or any `sub`)."""
    if not settings.dev_issuer:
        sys.exit("crowdhire: `token` only works with CROWDHIRE_ENV=dev and no Auth0 settings")
    if role == "admin":
        return mint_dev_token(settings, sub or DEV_ADMIN_SUB, ["admin:all"])
    if role == "recruiter":
        return mint_dev_token(settings, sub or DEMO_RECRUITER_SUB, [])
    if sub is None and company is not None:
        sub = asyncio.run(_owner_of(settings, company))
    return mint_dev_token(settings, sub or DEMO_COMPANY_OWNER_SUB, [])
