"""The CandidateDocument type: a file attached to a candidate, with a short-lived download URL."""

from __future__ import annotations

from datetime import datetime

import strawberry
from bson import ObjectId

from crowdhire.context import Info
from crowdhire.models.documents import CandidateDocument, DocumentKind
from crowdhire.resolvers import documents as document_rules
from crowdhire.schema.ids import encode_global_id

strawberry.enum(DocumentKind, description="What a candidate's file is.")


@strawberry.type(name="CandidateDocument", description="A file attached to a candidate.")
class CandidateDocumentType:
    """Metadata of an attached file; the bytes come from `downloadUrl`."""

    id: strawberry.ID = strawberry.field(description="Opaque id of the file.")
    kind: DocumentKind = strawberry.field(description="CV, portfolio or other.")
    filename: str = strawberry.field(description="The sanitized filename given at upload.")
    size: int = strawberry.field(description="Size in bytes.")
    content_type: str = strawberry.field(description="The type detected from the file's bytes.")
    uploaded_at: datetime = strawberry.field(description="When the bytes arrived (UTC).")
    model: strawberry.Private[CandidateDocument]

    @staticmethod
    def global_id(document_id: ObjectId) -> strawberry.ID:
        """The opaque id of a file."""
        return encode_global_id("CandidateDocument", document_id)

    @classmethod
    def from_model(cls, document: CandidateDocument) -> CandidateDocumentType:
        """The GraphQL view of an attached file."""
        assert document.id is not None and document.uploaded_at is not None
        return cls(
            id=cls.global_id(document.id),
            kind=document.kind,
            filename=document.filename,
            size=document.size or 0,
            content_type=document.content_type or "",
            uploaded_at=document.uploaded_at,
            model=document,
        )

    @strawberry.field(
        description="A URL that downloads the file for you only, with your bearer token, for a"
        " few minutes (DOWNLOAD_URL_TTL_SECONDS)."
    )
    def download_url(self, info: Info) -> str:
        """Signed for this viewer; answers holding it are never served from the response cache."""
        return document_rules.download_url(info.context, self.model)
