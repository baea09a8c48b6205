"""Company: an employer that posts jobs and pays placement fees."""

from __future__ import annotations

from typing import Annotated

from beanie import Document, Indexed
from pydantic import Field
from pymongo import DESCENDING, IndexModel

from crowdhire.models.common import UtcDatetime, utcnow


class Company(Document):
    """An employer; `slug` is its unique, URL-safe handle."""

    name: str = Field(min_length=1, max_length=200)
    slug: Annotated[str, Indexed(unique=True)] = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")
    website: str | None = None
    description: str = ""
    stripe_customer_id: str | None = None
    created_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "companies"
        use_cache = False
        indexes = [IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)])]
