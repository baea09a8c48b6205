"""Candidate: a person a recruiter sourced, with their consent state and its history."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any

import phonenumbers
from beanie import PydanticObjectId
from pydantic import BaseModel, Field, field_validator, model_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import Money, StoredDocument, UtcDatetime, utcnow


class ConsentStatus(StrEnum):
    """Whether the person agreed to be represented."""

    PENDING = "pending"
    GRANTED = "granted"
    DECLINED = "declined"
    REVOKED = "revoked"


class AutomatedRanking(StrEnum):
    """Whether the person lets the matching engine embed and rank them (GDPR Art. 22)."""

    ALLOWED = "allowed"
    OPTED_OUT = "opted_out"


class ConsentMethod(StrEnum):
    """How a consent decision reached us."""

    LINK = "link"
    ADMIN = "admin"


class ConsentEvent(BaseModel):
    """One recorded consent decision: what, when and through which channel."""

    status: ConsentStatus
    at: UtcDatetime
    method: ConsentMethod


class Consent(BaseModel):
    """The current consent state, when it last changed, and the open consent link."""

    status: ConsentStatus = ConsentStatus.PENDING
    changed_at: datetime | None = None
    history: list[ConsentEvent] = Field(default_factory=list)
    # The nonce of the newest consent link: a new link replaces it, erasure clears it.
    link_nonce: str | None = None
    link_expires_at: UtcDatetime | None = None
    link_decided: bool = False
    # The current request: when the recruiter asked, when its email last left, and when emails
    # were queued in the last day (the resend rate limit reads these).
    requested_at: UtcDatetime | None = None
    last_sent_at: UtcDatetime | None = None
    recent_emails: list[UtcDatetime] = Field(default_factory=list)


def normalize_skills(skills: list[str]) -> list[str]:
    """Lower-case, trim and de-duplicate skills, keeping their first order."""
    seen: dict[str, None] = {}
    for skill in skills:
        cleaned = " ".join(skill.split()).lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def normalize_email(email: str | None) -> str | None:
    """The matching key of an address: trimmed, NFKC, case-folded (None when absent)."""
    if not email or not email.strip():
        return None
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def normalize_phone(phone: str | None) -> str | None:
    """The E.164 form of an international number (`+` and country code), else None."""
    if not phone or not phone.strip():
        return None
    try:
        parsed = phonenumbers.parse(phone.strip(), None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _has_text(field: str) -> dict[str, Any]:
    return {"partialFilterExpression": {field: {"$type": "string"}}}


class Candidate(StoredDocument):
    """A sourced person, owned by the recruiter who sourced them."""

    recruiter_id: PydanticObjectId
    full_name: str = Field(min_length=1, max_length=200)
    headline: str = ""
    email: str | None = None
    phone: str | None = None
    # Matching keys for duplicate detection across the crowd (unique when present).
    email_normalized: str | None = None
    phone_normalized: str | None = None
    location: str = ""
    skills: list[str] = Field(default_factory=list)
    years_experience: int = Field(0, ge=0, le=80)
    summary: str = Field("", max_length=5000)
    desired_salary: Money | None = None
    open_to_remote: bool = False
    languages: list[str] = Field(default_factory=list)
    automated_ranking: AutomatedRanking = AutomatedRanking.ALLOWED
    links: list[str] = Field(default_factory=list)
    consent: Consent = Field(default_factory=Consent)
    legal_hold: bool = False
    erased_at: UtcDatetime | None = None
    # Written by every change to the candidate's files, so concurrent uploads conflict on this
    # document and the per-candidate file limit holds.
    documents_changed_at: UtcDatetime | None = None
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    @model_validator(mode="before")
    @classmethod
    def _derive_matching_keys(cls, data: Any) -> Any:
        # Only when the keys were not given (new documents, old rows): loads of stored rows skip it.
        if isinstance(data, dict):
            if "email_normalized" not in data:
                data = {**data, "email_normalized": normalize_email(data.get("email"))}
            if "phone_normalized" not in data:
                data = {**data, "phone_normalized": normalize_phone(data.get("phone"))}
        return data

    @field_validator("skills", "languages")
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
            IndexModel(
                [("email_normalized", ASCENDING)],
                name="email_normalized_unique",
                unique=True,
                **_has_text("email_normalized"),
            ),
            IndexModel(
                [("phone_normalized", ASCENDING)],
                name="phone_normalized_unique",
                unique=True,
                **_has_text("phone_normalized"),
            ),
        ]
