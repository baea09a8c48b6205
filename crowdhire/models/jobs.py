"""Job: an opening a company posts, with its lifecycle and fee terms."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from beanie import PydanticObjectId
from pydantic import BaseModel, Field, field_validator, model_validator
from pymongo import ASCENDING, DESCENDING, TEXT, IndexModel

from crowdhire.models.candidates import normalize_skills
from crowdhire.models.common import Currency, StoredDocument, UtcDatetime, utcnow


class JobStatus(StrEnum):
    """Lifecycle: draft → open → paused/filled/closed."""

    DRAFT = "draft"
    OPEN = "open"
    PAUSED = "paused"
    FILLED = "filled"
    CLOSED = "closed"


JOB_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.DRAFT: frozenset({JobStatus.OPEN}),
    # FILLED is reached only by hiring into the last opening, never by a status mutation
    JobStatus.OPEN: frozenset({JobStatus.PAUSED, JobStatus.CLOSED, JobStatus.FILLED}),
    JobStatus.PAUSED: frozenset({JobStatus.OPEN, JobStatus.CLOSED, JobStatus.FILLED}),
    JobStatus.FILLED: frozenset(),
    JobStatus.CLOSED: frozenset(),
}
"""Which status a job may move to from each status; FILLED and CLOSED are final."""


def can_move(current: JobStatus, target: JobStatus) -> bool:
    """True when the status machine allows moving a job from `current` to `target`."""
    return target in JOB_TRANSITIONS[current]


class RemotePolicy(StrEnum):
    """Where the work happens."""

    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"


class EmploymentType(StrEnum):
    """The contract form of the job."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    INTERNSHIP = "internship"


class SalaryRange(BaseModel):
    """Yearly salary bounds in minor units."""

    min: int = Field(ge=0)
    max: int = Field(ge=0)
    currency: Currency

    @model_validator(mode="after")
    def _ordered(self) -> SalaryRange:
        if self.max < self.min:
            raise ValueError("salary max must be at least min")
        return self


class FeeTerms(BaseModel):
    """What a hire costs: a percentage of first-year salary OR a flat amount."""

    percent: float | None = Field(None, gt=0, le=100)
    flat_amount: int | None = Field(None, gt=0)
    currency: Currency
    guarantee_days: int = Field(90, ge=0, le=365)
    recruiter_share_percent: float = Field(70, ge=0, le=100)

    @model_validator(mode="after")
    def _exactly_one_basis(self) -> FeeTerms:
        if (self.percent is None) == (self.flat_amount is None):
            raise ValueError("fee terms need exactly one of percent or flat_amount")
        return self

    def fee_for(self, annual_salary: int) -> int:
        """The placement fee in minor units for a hire at this yearly salary."""
        if self.flat_amount is not None:
            return self.flat_amount
        assert self.percent is not None
        return int(
            (Decimal(annual_salary) * Decimal(str(self.percent)) / 100).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )

    def recruiter_share_of(self, fee: int) -> int:
        """The recruiter's part of a fee, rounded half up to a minor unit."""
        share = Decimal(fee) * Decimal(str(self.recruiter_share_percent)) / 100
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Job(StoredDocument):
    """An opening; `skills` are normalized lower-case."""

    company_id: PydanticObjectId
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    location: str = ""
    remote_policy: RemotePolicy = RemotePolicy.ONSITE
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    salary: SalaryRange | None = None
    skills: list[str] = Field(default_factory=list)
    # Matching: when both lists are empty, `skills` counts as must-have (older documents).
    must_have_skills: list[str] = Field(default_factory=list)
    nice_to_have_skills: list[str] = Field(default_factory=list)
    min_years_experience: int | None = Field(None, ge=0, le=80)
    max_years_experience: int | None = Field(None, ge=0, le=80)
    languages: list[str] = Field(default_factory=list)
    status: JobStatus = JobStatus.DRAFT
    openings: int = Field(1, ge=1, le=1000)
    fee_terms: FeeTerms
    created_at: UtcDatetime = Field(default_factory=utcnow)
    opened_at: UtcDatetime | None = None
    # Incremented inside every transaction that acts on the job's current state (a submission,
    # a hire), so a concurrent status or fee-terms change conflicts and retries instead of
    # committing beside a decision made on what it replaced.
    revision: int = 0

    @field_validator("skills", "must_have_skills", "nice_to_have_skills", "languages")
    @classmethod
    def _normalized_skills(cls, value: list[str]) -> list[str]:
        return normalize_skills(value)

    class Settings:
        name = "jobs"
        use_cache = False
        indexes = [
            IndexModel(
                [("company_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel([("status", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("title", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("salary.max", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("skills", ASCENDING)]),
            IndexModel([("must_have_skills", ASCENDING)]),
            IndexModel([("title", TEXT), ("description", TEXT)], name="job_text"),
        ]
