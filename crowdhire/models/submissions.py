"""Submission: a recruiter puts a candidate forward for a job."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from beanie import PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class Stage(StrEnum):
    """Pipeline stages; hired, rejected and withdrawn are final."""

    SUBMITTED = "submitted"
    SCREENING = "screening"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class RejectReason(StrEnum):
    """Why a company rejected a submission."""

    NOT_QUALIFIED = "not_qualified"
    SALARY_MISMATCH = "salary_mismatch"
    LOCATION_MISMATCH = "location_mismatch"
    POSITION_FILLED = "position_filled"
    CANDIDATE_DECLINED = "candidate_declined"
    OTHER = "other"


class StageChange(BaseModel):
    """One recorded move through the pipeline."""

    from_stage: Stage | None
    to_stage: Stage
    at: UtcDatetime
    actor: str
    note: str = ""


FINAL_STAGES = frozenset({Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN})


def person_keys(email_normalized: str | None, phone_normalized: str | None) -> list[str]:
    """Hashes of a person's matching keys (Candidate.email/phone_normalized), never the values."""
    keys = [
        f"email:{email_normalized}" if email_normalized else "",
        f"phone:{phone_normalized}" if phone_normalized else "",
    ]
    return [hashlib.sha256(key.encode()).hexdigest() for key in keys if key]


class Submission(StoredDocument):
    """One candidate for one job; the first valid submitter owns the candidacy."""

    job_id: PydanticObjectId
    candidate_id: PydanticObjectId
    recruiter_id: PydanticObjectId
    company_id: PydanticObjectId  # the job's company, kept here for authorization filters
    stage: Stage = Stage.SUBMITTED
    reject_reason: RejectReason | None = None
    pitch: str = ""
    # hashed normalized email/phone of the person; a unique index per job makes the first
    # submitter of a person win even when two recruiters hold separate records of them
    person_keys: list[str] = Field(default_factory=list)
    history: list[StageChange] = Field(default_factory=list)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "submissions"
        use_cache = False
        indexes = [
            IndexModel([("job_id", ASCENDING), ("candidate_id", ASCENDING)], unique=True),
            IndexModel(
                [("job_id", ASCENDING), ("person_keys", ASCENDING)],
                unique=True,
                name="one_submission_per_person_and_job",
                partialFilterExpression={"person_keys": {"$type": "string"}},
            ),
            IndexModel([("job_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel(
                [("candidate_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel(
                [("recruiter_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel(
                [("company_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel([("stage", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)]),
        ]
