"""Beanie documents; `DOCUMENT_MODELS` is what `init_beanie` registers."""

from beanie import Document

from crowdhire.models.audit import AuditEvent
from crowdhire.models.candidates import Candidate
from crowdhire.models.companies import Company, CompanyMember
from crowdhire.models.documents import CandidateDocument, DocumentText
from crowdhire.models.idempotency import MutationReceipt
from crowdhire.models.jobs import Job
from crowdhire.models.payments import PlacementPayment, StripeEvent  # payments
from crowdhire.models.persisted_queries import PersistedQuery
from crowdhire.models.placements import Placement
from crowdhire.models.recruiters import Recruiter
from crowdhire.models.submissions import Submission
from crowdhire.models.tasks import BackgroundTask

DOCUMENT_MODELS: list[type[Document]] = [
    Company,
    CompanyMember,
    Recruiter,
    Candidate,
    Job,
    Submission,
    Placement,
    PersistedQuery,
    AuditEvent,
    MutationReceipt,
    PlacementPayment,  # payments
    StripeEvent,  # payments
    BackgroundTask,
    CandidateDocument,
    DocumentText,
]

__all__ = [
    "DOCUMENT_MODELS",
    "AuditEvent",
    "BackgroundTask",
    "Candidate",
    "CandidateDocument",
    "Company",
    "CompanyMember",
    "DocumentText",
    "Job",
    "MutationReceipt",
    "PersistedQuery",
    "Placement",
    "Recruiter",
    "Submission",
]
