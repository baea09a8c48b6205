"""Company: an employer that posts jobs and pays placement fees."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from beanie import Indexed, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class Company(StoredDocument):
    """An employer; `slug` is its unique, URL-safe handle."""

    name: str = Field(min_length=1, max_length=200)
    slug: Annotated[str, Indexed(unique=True)] = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")
    website: str | None = None
    description: str = ""
    tagline: str | None = Field(None, max_length=160)
    headquarters: str | None = Field(None, max_length=200)
    logo_url: str | None = Field(None, max_length=2048)
    stripe_customer_id: str | None = None
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "companies"
        use_cache = False
        indexes = [IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)])]


class MemberRole(StrEnum):
    """A company member's role: owners manage members and pay fees."""

    OWNER = "owner"
    MEMBER = "member"


class CompanyMember(StoredDocument):
    """An Auth0 subject's membership of a company."""

    company_id: PydanticObjectId
    sub: Annotated[str, Indexed()]
    role: MemberRole = MemberRole.MEMBER
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "company_members"
        use_cache = False
        indexes = [IndexModel([("company_id", ASCENDING), ("sub", ASCENDING)], unique=True)]
