"""Beanie documents; `DOCUMENT_MODELS` is what `init_beanie` registers."""

from beanie import Document

from crowdhire.models.candidates import Candidate
from crowdhire.models.companies import Company
from crowdhire.models.jobs import Job
from crowdhire.models.placements import Placement
from crowdhire.models.recruiters import Recruiter
from crowdhire.models.submissions import Submission

DOCUMENT_MODELS: list[type[Document]] = [
    Company,
    Recruiter,
    Candidate,
    Job,
    Submission,
    Placement,
]

__all__ = ["DOCUMENT_MODELS", "Candidate", "Company", "Job", "Placement", "Recruiter", "Submission"]
