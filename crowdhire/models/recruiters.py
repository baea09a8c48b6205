"""Recruiter: one member of the crowd, identified by an Auth0 subject."""

from __future__ import annotations

from typing import Annotated

from beanie import Indexed
from pydantic import Field
from pymongo import DESCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class Recruiter(StoredDocument):
    """An independent recruiter; `sub` is the Auth0 subject and unique."""

    sub: Annotated[str, Indexed(unique=True)]
    display_name: str = Field(min_length=1, max_length=120)
    email: str
    bio: str = ""
    specialties: list[str] = Field(default_factory=list)
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "recruiters"
        use_cache = False
        indexes = [IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)])]
