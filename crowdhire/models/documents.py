"""Candidate documents (CVs, portfolios) and the text extracted from them for matching.

The bytes live in the file store (GridFS by default); these documents hold what the API lists and
the state of an upload. Extracted text sits in its own collection so that listing documents never
loads it and matching can read it without touching the file metadata.
"""

from __future__ import annotations

from enum import StrEnum

from beanie import PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from crowdhire.models.common import StoredDocument, UtcDatetime, utcnow


class DocumentKind(StrEnum):
    """What the file is to the recruiter."""

    CV = "CV"
    PORTFOLIO = "PORTFOLIO"
    OTHER = "OTHER"


class DocumentStatus(StrEnum):
    """PENDING waits for its bytes; UPLOADED has them; ATTACHED is listed on the candidate."""

    PENDING = "pending"
    UPLOADED = "uploaded"
    ATTACHED = "attached"


class TextStatus(StrEnum):
    """Where text extraction stands (NONE for images, which have no text to extract)."""

    NONE = "none"
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class CandidateDocument(StoredDocument):
    """One file of a candidate, from the upload's creation until it is deleted or erased."""

    candidate_id: PydanticObjectId
    kind: DocumentKind
    filename: str
    declared_content_type: str
    declared_size: int
    status: DocumentStatus = DocumentStatus.PENDING
    upload_expires_at: UtcDatetime
    receiving_until: UtcDatetime | None = None  # a PUT streaming now holds the upload until then
    # Every file id a PUT opened, so the sweeper can remove chunks of any attempt.
    attempt_file_ids: list[PydanticObjectId] = Field(default_factory=list)
    file_id: PydanticObjectId | None = None
    content_type: str | None = None  # detected from the bytes, never the client's word
    size: int | None = None
    sha256: str | None = None
    text_status: TextStatus = TextStatus.NONE
    created_by: str
    created_at: UtcDatetime = Field(default_factory=utcnow)
    uploaded_at: UtcDatetime | None = None
    attached_at: UtcDatetime | None = None

    class Settings:
        name = "candidate_documents"
        use_cache = False
        indexes = [
            IndexModel([("candidate_id", ASCENDING), ("attached_at", ASCENDING)]),
        ]


class DocumentText(StoredDocument):
    """Plain text of one attached document, ready for matching (never exposed by the API)."""

    document_id: PydanticObjectId
    candidate_id: PydanticObjectId
    kind: DocumentKind
    text: str
    truncated: bool = False
    extracted_at: UtcDatetime = Field(default_factory=utcnow)

    class Settings:
        name = "candidate_document_texts"
        use_cache = False
        indexes = [
            IndexModel([("document_id", ASCENDING)], unique=True),
            IndexModel([("candidate_id", ASCENDING)]),
        ]
