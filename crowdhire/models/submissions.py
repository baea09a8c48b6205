"""Submission: a recruiter puts a candidate forward for a job."""

from __future__ import annotations

from enum import StrEnum

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from crowdhire.models.common import UtcDatetime, utcnow


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


class Submission(Document):
    """One candidate for one job; the first valid submitter owns the candidacy."""

    job_id: PydanticObjectId
    candidate_id: PydanticObjectId
    recruiter_id: PydanticObjectId
    stage: Stage = Stage.SUBMITTED
    reject_reason: RejectReason | None = None
    pitch: str = ""
    history: list[StageChange] = Field(default_factory=list)
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "submissions"
        use_cache = False
        indexes = [
            IndexModel([("job_id", ASCENDING), ("candidate_id", ASCENDING)], unique=True),
            IndexModel([("job_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel(
                [("candidate_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel(
                [("recruiter_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
            ),
            IndexModel([("stage", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)]),
        ]
