"""createCandidateDocumentUpload, completeCandidateDocumentUpload, deleteCandidateDocument."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models import CandidateDocument
from crowdhire.models.documents import DocumentKind, DocumentStatus
from crowdhire.resolvers import documents as document_rules
from crowdhire.resolvers.document_links import upload_token
from crowdhire.resolvers.transactions import Outcome
from crowdhire.schema.candidate_mutations import payload_candidate
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.documents import CandidateDocumentType
from crowdhire.schema.payloads import (
    ClientMutationId,
    UserError,
    guarded,
    input_object_id,
    user_errors,
)


@strawberry.enum(description="Why a candidate file mutation changed nothing.")
class CandidateDocumentErrorCode(Enum):
    """Codes of the candidate file mutations' user errors."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    TOO_LARGE = "TOO_LARGE"
    TOO_MANY_FILES = "TOO_MANY_FILES"
    NOT_UPLOADED = "NOT_UPLOADED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(name="CandidateDocumentError", description="A user error of a file mutation.")
class CandidateDocumentError(UserError[CandidateDocumentErrorCode]):
    """Field path, code and message."""


@strawberry.input(description="The file you are about to upload for a candidate.")
class CreateCandidateDocumentUploadInput:
    """createCandidateDocumentUpload's input."""

    candidate_id: strawberry.ID = strawberry.field(description="The candidate.")
    kind: DocumentKind = strawberry.field(description="CV, portfolio or other.")
    filename: str = strawberry.field(description="Its name (path parts and control chars go).")
    content_type: str = strawberry.field(
        description="PDF, DOCX, ODT, text/plain, PNG or JPEG; the bytes must match it."
    )
    size: int = strawberry.field(description="Exact size in bytes (up to MAX_UPLOAD_BYTES).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.input(description="An uploaded file to attach, or a file to delete.")
class CandidateDocumentInput:
    """completeCandidateDocumentUpload's and deleteCandidateDocument's input."""

    document_id: strawberry.ID = strawberry.field(description="The file (from the upload).")
    client_mutation_id: str | None = ClientMutationId


@strawberry.type(description="Where and how to PUT the file's bytes.")
class CandidateDocumentUpload:
    """A one-time upload."""

    document_id: strawberry.ID = strawberry.field(description="Pass it to the complete mutation.")
    upload_url: str = strawberry.field(description="PUT the raw bytes here (no other headers).")
    upload_token: str = strawberry.field(description="The token inside `uploadUrl`.")
    expires_at: datetime = strawberry.field(description="The URL stops accepting bytes then.")
    max_bytes: int = strawberry.field(description="The size cap the server enforces.")


@strawberry.type(description="The upload to PUT to, or why not.")
class CreateCandidateDocumentUploadPayload:
    """createCandidateDocumentUpload's result."""

    upload: CandidateDocumentUpload | None = strawberry.field(description="The one-time upload.")
    user_errors: list[CandidateDocumentError] = strawberry.field(description="Input problems.")


@strawberry.type(description="The attached file and its candidate, or why not.")
class CandidateDocumentPayload:
    """completeCandidateDocumentUpload's and deleteCandidateDocument's result."""

    document: CandidateDocumentType | None = strawberry.field(description="The file.")
    candidate: CandidateType | None = strawberry.field(description="The file's candidate.")
    user_errors: list[CandidateDocumentError] = strawberry.field(description="Input problems.")


async def _upload(info: Info, outcome: Outcome) -> CandidateDocumentUpload | None:
    document_id = outcome.object_id("document")
    document = await CandidateDocument.get(document_id) if document_id else None
    if document is None or document.status is not DocumentStatus.PENDING:
        return None
    assert document.id is not None
    context = info.context
    token = upload_token(context.settings, document.id)
    base = str(context.request.base_url).rstrip("/") if context.request is not None else ""
    return CandidateDocumentUpload(
        document_id=CandidateDocumentType.global_id(document.id),
        upload_url=f"{base}/uploads/{token}",
        upload_token=token,
        expires_at=document.upload_expires_at,
        max_bytes=context.settings.max_upload_bytes,
    )


async def _payload(info: Info, outcome: Outcome) -> CandidateDocumentPayload:
    document_id = outcome.object_id("document")
    document = await CandidateDocument.get(document_id) if document_id else None
    attached = document is not None and document.status is DocumentStatus.ATTACHED
    return CandidateDocumentPayload(
        document=CandidateDocumentType.from_model(document) if attached and document else None,
        candidate=await payload_candidate(info, outcome),
        user_errors=user_errors(outcome, CandidateDocumentErrorCode, CandidateDocumentError),
    )


@strawberry.type(description="Candidate file mutations.")
class DocumentMutations:
    """Upload (create, PUT, complete) and delete candidate files."""

    @strawberry.mutation(
        description="Open a one-time upload URL for a candidate's file (their recruiter, admins)."
    )
    async def create_candidate_document_upload(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CreateCandidateDocumentUploadInput, strawberry.argument(description="The file.")
        ],
    ) -> CreateCandidateDocumentUploadPayload:
        """At most MAX_DOCUMENTS_PER_CANDIDATE files per candidate, unfinished uploads included."""
        fields = {"filename": input.filename, "content_type": input.content_type,
                  "size": input.size}  # fmt: skip
        outcome = await guarded(
            lambda: document_rules.create_upload(
                info.context,
                input_object_id(input.candidate_id, "Candidate", "candidateId"),
                input.kind,
                fields,
                input.client_mutation_id,
            )
        )
        return CreateCandidateDocumentUploadPayload(
            upload=await _upload(info, outcome) if not outcome.errors else None,
            user_errors=user_errors(outcome, CandidateDocumentErrorCode, CandidateDocumentError),
        )

    @strawberry.mutation(description="Attach a file whose bytes were PUT; queues its text.")
    async def complete_candidate_document_upload(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CandidateDocumentInput, strawberry.argument(description="The uploaded file.")
        ],
    ) -> CandidateDocumentPayload:
        """Completing an attached file again returns it unchanged."""
        outcome = await guarded(
            lambda: document_rules.complete_upload(
                info.context,
                input_object_id(input.document_id, "CandidateDocument", "documentId"),
                input.client_mutation_id,
            )
        )
        return await _payload(info, outcome)

    @strawberry.mutation(description="Delete a candidate's file with its extracted text.")
    async def delete_candidate_document(
        self,
        info: Info,
        input: Annotated[  # noqa: A002 - Relay's argument name
            CandidateDocumentInput, strawberry.argument(description="The file.")
        ],
    ) -> CandidateDocumentPayload:
        """The candidate's recruiter or admins."""
        outcome = await guarded(
            lambda: document_rules.delete_document(
                info.context,
                input_object_id(input.document_id, "CandidateDocument", "documentId"),
                input.client_mutation_id,
            )
        )
        return await _payload(info, outcome)
