"""Candidate: a person a recruiter sourced, with their consent state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field, field_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import UtcDatetime, utcnow


class ConsentStatus(StrEnum):
    """Whether the person agreed to be represented."""

    PENDING = "pending"
    GRANTED = "granted"
    REVOKED = "revoked"


class Consent(BaseModel):
    """The current consent state and when it last changed."""

    status: ConsentStatus = ConsentStatus.PENDING
    changed_at: datetime | None = None


def normalize_skills(skills: list[str]) -> list[str]:
    """Lower-case, trim and de-duplicate skills, keeping their first order."""
    seen: dict[str, None] = {}
    for skill in skills:
        cleaned = " ".join(skill.split()).lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


class Candidate(Document):
    """A sourced person, owned by the recruiter who sourced them."""

    recruiter_id: PydanticObjectId
    full_name: str = Field(min_length=1, max_length=200)
    headline: str = ""
    email: str | None = None
    phone: str | None = None
    location: str = ""
    skills: list[str] = Field(default_factory=list)
    years_experience: int = Field(0, ge=0, le=80)
    links: list[str] = Field(default_factory=list)
    consent: Consent = Field(default_factory=Consent)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    @field_validator("skills")
    @classmethod
    def _normalized_skills(cls, value: list[str]) -> list[str]:
        return normalize_skills(value)

    class Settings:
        name = "candidates"
        use_cache = False
        indexes = [
            IndexModel(
                [("recruiter_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel([("skills", ASCENDING)]),
            IndexModel([("location", ASCENDING)]),
            IndexModel([("years_experience", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)]),
        ]
