"""Beanie documents; `DOCUMENT_MODELS` is what `init_beanie` registers."""

from beanie import Document

from crowdhire.models.audit import AuditEvent
from crowdhire.models.candidates import Candidate
from crowdhire.models.companies import Company, CompanyMember
from crowdhire.models.documents import CandidateDocument, DocumentText
from crowdhire.models.duplicate_answers import DuplicateAnswerCount
from crowdhire.models.embeddings import Embedding
from crowdhire.models.erasures import ErasureRecord
from crowdhire.models.events import EventSequence, OutboxEvent
from crowdhire.models.idempotency import MutationReceipt
from crowdhire.models.jobs import Job
from crowdhire.models.payments import PlacementPayment, StripeEvent
from crowdhire.models.persisted_queries import PersistedQuery
from crowdhire.models.placements import Placement
from crowdhire.models.recruiters import Recruiter
from crowdhire.models.submissions import Submission
from crowdhire.models.tasks import BackgroundTask
from crowdhire.models.webhooks import DispatchMark, WebhookDelivery, WebhookEndpoint

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
    PlacementPayment,
    StripeEvent,
    BackgroundTask,
    ErasureRecord,
    Embedding,
    DuplicateAnswerCount,
    OutboxEvent,
    EventSequence,
    CandidateDocument,
    DocumentText,
    WebhookEndpoint,
    WebhookDelivery,
    DispatchMark,
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
    "Embedding",
    "ErasureRecord",
    "EventSequence",
    "Job",
    "MutationReceipt",
    "OutboxEvent",
    "PersistedQuery",
    "Placement",
    "Recruiter",
    "Submission",
]
