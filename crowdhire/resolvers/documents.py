"""Candidate files: creating and completing uploads, deleting, listing, and erasure.

Files follow the contact-field rule (a CV carries contact details): the owning recruiter and
admins always, a company's members once a submission to them reached INTERVIEWING with consent
GRANTED. Changes write `documents_changed_at` on the candidate inside the transaction, so two
concurrent uploads conflict there and the per-candidate limit cannot be overshot.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.files.gridfs_store import GridFSStore
from crowdhire.files.names import MAX_FILENAME, sanitize_filename
from crowdhire.files.sniff import ALLOWED_TYPES, TEXT_TYPES
from crowdhire.files.store import FileStore
from crowdhire.footprints import note_read
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models import Candidate, CandidateDocument, DocumentText
from crowdhire.models.common import utcnow
from crowdhire.models.documents import DocumentKind, DocumentStatus, TextStatus
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.resolvers.access import ensure_can_see_contact
from crowdhire.resolvers.candidates import editable_candidate
from crowdhire.resolvers.document_links import download_token
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation
from crowdhire.tasks import queue

EXTRACT_TASK = "extract_document_text"
SWEEP_TASK = "sweep_document_upload"
# Answers holding signed URLs expire with them: a read of this name (which has no generation
# token) keeps such answers out of the shared response cache.
SIGNED_URLS = "signed-download-urls"


def file_store() -> FileStore:
    """The configured file store (GridFS in the app's database)."""
    return GridFSStore(CandidateDocument.get_pymongo_collection().database)


async def touch_candidate(candidate_id: ObjectId, session: AsyncClientSession) -> None:
    """The write that serializes concurrent changes to one candidate's files."""
    await Candidate.get_pymongo_collection().update_one(
        {"_id": candidate_id}, {"$set": {"documents_changed_at": utcnow()}}, session=session
    )


def _clean_upload(context: Context, fields: Mapping[str, Any]) -> dict[str, Any]:
    filename = sanitize_filename(fields["filename"])
    if not filename:
        raise refuse(("filename",), "INVALID_INPUT", "filename has no usable characters")
    if len(fields["filename"]) > 4 * MAX_FILENAME:
        raise refuse(("filename",), "INVALID_INPUT", f"filename is limited to {MAX_FILENAME}")
    content_type = fields["content_type"].strip().lower()
    if content_type not in ALLOWED_TYPES:
        message = f"contentType must be one of {', '.join(ALLOWED_TYPES)}"
        raise refuse(("contentType",), "UNSUPPORTED_TYPE", message)
    size, limit = fields["size"], context.settings.max_upload_bytes
    if not 1 <= size <= limit:
        raise refuse(("size",), "TOO_LARGE" if size > limit else "INVALID_INPUT",
                     f"size must be 1 to {limit} bytes")  # fmt: skip
    return {"filename": filename, "declared_content_type": content_type, "declared_size": size}


async def create_upload(
    context: Context,
    candidate_id: ObjectId,
    kind: DocumentKind,
    fields: Mapping[str, Any],
    client_mutation_id: str | None,
) -> Outcome:
    """The candidate's recruiter (or an admin) opens a one-time upload for one file."""
    settings = context.settings

    async def create(session: AsyncClientSession) -> Outcome:
        await editable_candidate(context, candidate_id, session, "add files to this candidate")
        values = _clean_upload(context, fields)
        await touch_candidate(candidate_id, session)
        held = await CandidateDocument.get_pymongo_collection().count_documents(
            {"candidate_id": candidate_id}, session=session
        )
        if held >= settings.max_documents_per_candidate:
            message = f"a candidate holds at most {settings.max_documents_per_candidate} files"
            raise refuse(("candidateId",), "TOO_MANY_FILES", message)
        now = utcnow()
        document = CandidateDocument(
            candidate_id=candidate_id,
            kind=kind,
            upload_expires_at=now + timedelta(seconds=settings.upload_url_ttl_seconds),
            created_by=context.viewer.sub or "anonymous",
            created_at=now,
            **values,
        )
        await document.insert(session=session)
        await queue.enqueue(SWEEP_TASK, {"document_id": str(document.id)}, session=session,
                            delay_seconds=settings.upload_sweep_seconds)  # fmt: skip
        return Outcome(ids={"document": str(document.id), "candidate": str(candidate_id)})

    data = {"candidateId": str(candidate_id), "kind": kind.value, **fields}
    return await run_mutation(
        context, "createCandidateDocumentUpload", data, create, client_mutation_id
    )


async def _owned_document(
    context: Context, document_id: ObjectId, session: AsyncClientSession, what: str
) -> CandidateDocument:
    document = await CandidateDocument.find_one({"_id": document_id}, session=session)
    if document is None:
        if context.viewer.is_anonymous:
            raise refuse((), "UNAUTHENTICATED", f"Sign in to {what}")
        raise refuse(("documentId",), "NOT_FOUND", "No such document")
    await editable_candidate(context, document.candidate_id, session, what)
    return document


async def complete_upload(
    context: Context, document_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """Attach an uploaded file to its candidate and queue its text extraction."""

    async def complete(session: AsyncClientSession) -> Outcome:
        document = await _owned_document(context, document_id, session, "attach this file")
        ids = {"document": str(document_id), "candidate": str(document.candidate_id)}
        if document.status is DocumentStatus.ATTACHED:
            return Outcome(ids=ids)  # already attached: completing again changes nothing
        if document.status is DocumentStatus.PENDING:
            raise refuse(("documentId",), "NOT_UPLOADED", "PUT the file's bytes first")
        document.status, document.attached_at = DocumentStatus.ATTACHED, utcnow()
        has_text = document.content_type in TEXT_TYPES
        document.text_status = TextStatus.PENDING if has_text else TextStatus.NONE
        await document.save(session=session)
        await touch_candidate(document.candidate_id, session)
        if has_text:
            await queue.enqueue(EXTRACT_TASK, {"document_id": str(document_id)}, session=session,
                                dedupe_key=f"{EXTRACT_TASK}:{document_id}")  # fmt: skip
        await audit(context, session, "uploadCandidateDocument",
                    {"candidate": document.candidate_id, "document": document_id})  # fmt: skip
        return Outcome(ids=ids)

    data = {"documentId": str(document_id)}
    return await run_mutation(
        context, "completeCandidateDocumentUpload", data, complete, client_mutation_id
    )


async def delete_document(
    context: Context, document_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """Remove a file, its chunks and its extracted text in one transaction."""

    async def delete(session: AsyncClientSession) -> Outcome:
        document = await _owned_document(context, document_id, session, "delete this file")
        await remove_documents([document], session)
        await touch_candidate(document.candidate_id, session)
        if document.kind is DocumentKind.CV:  # its text no longer describes the candidate
            await enqueue_embedding(EmbeddedKind.CANDIDATE, document.candidate_id, session)
        await audit(context, session, "deleteCandidateDocument",
                    {"candidate": document.candidate_id, "document": document_id})  # fmt: skip
        return Outcome(ids={"candidate": str(document.candidate_id)})

    data = {"documentId": str(document_id)}
    return await run_mutation(context, "deleteCandidateDocument", data, delete, client_mutation_id)


async def remove_documents(
    documents: list[CandidateDocument], session: AsyncClientSession | None
) -> None:
    """Delete documents with every file their uploads wrote and their extracted text."""
    ids = [d.id for d in documents if d.id is not None]
    file_ids = [f for d in documents for f in {*d.attempt_file_ids, d.file_id} if f is not None]
    await file_store().delete_many(file_ids, session=session)
    await DocumentText.get_pymongo_collection().delete_many(
        {"document_id": {"$in": ids}}, session=session
    )
    await CandidateDocument.get_pymongo_collection().delete_many(
        {"_id": {"$in": ids}}, session=session
    )


async def erase_candidate_documents(candidate_id: ObjectId, session: AsyncClientSession) -> None:
    """Erasure: every file of the person, in the erasing transaction."""
    documents = await CandidateDocument.find(
        {"candidate_id": candidate_id}, session=session
    ).to_list()
    await remove_documents(documents, session)


async def candidate_documents(context: Context, candidate: Candidate) -> list[CandidateDocument]:
    """A candidate's attached files, for viewers the contact-field rule admits."""
    await ensure_can_see_contact(context, candidate, "documents")
    assert candidate.id is not None
    return await context.loaders.documents_by_candidate_id.load(candidate.id)


def download_url(context: Context, document: CandidateDocument) -> str:
    """A short-lived URL only this viewer can download the file with."""
    note_read(SIGNED_URLS)
    settings = context.settings
    expires = int(time.time()) + settings.download_url_ttl_seconds
    assert document.id is not None and context.viewer.sub is not None
    token = download_token(settings, document.id, context.viewer.sub, expires)
    base = str(context.request.base_url).rstrip("/") if context.request is not None else ""
    return f"{base}/files/{token}"


async def exported_documents(context: Context, candidate_id: ObjectId) -> list[dict[str, Any]]:
    """The person's files for a data export, each with a download URL for the exporter."""
    documents = (
        await CandidateDocument.find(
            {"candidate_id": candidate_id, "status": DocumentStatus.ATTACHED.value}
        )
        .sort("attached_at")
        .to_list()
    )
    return [
        {
            "id": str(d.id),
            "kind": d.kind.value,
            "filename": d.filename,
            "contentType": d.content_type,
            "size": d.size,
            "uploadedAt": d.uploaded_at.isoformat() if d.uploaded_at else None,
            "downloadUrl": download_url(context, d),
        }
        for d in documents
    ]
