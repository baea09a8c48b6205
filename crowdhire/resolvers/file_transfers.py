"""The two HTTP legs of a file: bytes in through a one-time upload token, out through a signed URL.

An upload is claimed atomically for the length of its PUT (two PUTs with one token cannot both
stream), written under a fresh file id recorded beforehand (so the sweeper can find its chunks
whatever happens), and marked UPLOADED only if the claim still holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from bson import ObjectId
from pymongo import ReturnDocument

from crowdhire.context import Context
from crowdhire.errors import ForbiddenError
from crowdhire.files.intake import Expected, IntakeRefused, Received, receive
from crowdhire.models import AuditEvent, CandidateDocument
from crowdhire.models.common import utcnow
from crowdhire.models.documents import DocumentStatus
from crowdhire.resolvers.access import ensure_can_see_contact
from crowdhire.resolvers.document_links import check_download, upload_document_id
from crowdhire.resolvers.documents import file_store


class TransferRefused(Exception):  # noqa: N818 - a verdict about the request
    """A refused upload or download: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


async def accept_upload(
    context: Context, token: str, chunks: AsyncIterator[bytes], declared_length: int | None
) -> tuple[ObjectId, Received]:
    """Stream one upload's bytes into the store, or refuse (nothing half-written either way)."""
    settings = context.settings
    document_id = upload_document_id(settings, token)
    if document_id is None:
        raise TransferRefused("INVALID_TOKEN", "This upload URL is not valid", 404)
    file_id, now = ObjectId(), utcnow()
    collection = CandidateDocument.get_pymongo_collection()
    claimed = await collection.find_one_and_update(
        {
            "_id": document_id,
            "status": DocumentStatus.PENDING.value,
            "upload_expires_at": {"$gt": now},
            "$or": [{"receiving_until": None}, {"receiving_until": {"$lte": now}}],
        },
        {
            "$set": {"receiving_until": now + timedelta(seconds=settings.upload_url_ttl_seconds)},
            "$push": {"attempt_file_ids": file_id},
        },
        return_document=ReturnDocument.AFTER,
    )
    if claimed is None:
        raise await _why_not_claimed(document_id)
    document = CandidateDocument.model_validate(claimed)
    limit = settings.max_upload_bytes
    if declared_length is not None and declared_length > min(document.declared_size, limit):
        await _release(document_id, file_id)
        raise TransferRefused("TOO_LARGE", f"the body exceeds the declared size or {limit}", 413)
    expected = Expected(document.declared_size, document.declared_content_type, limit)
    try:
        received = await receive(file_store(), chunks, file_id, document.filename, expected)
    except IntakeRefused as refused:
        await _release(document_id, file_id)
        raise TransferRefused(refused.code, refused.message, refused.status) from None
    except BaseException:
        await _release(document_id, file_id)
        raise
    done = await collection.update_one(
        {"_id": document_id, "status": DocumentStatus.PENDING.value, "attempt_file_ids": file_id},
        {"$set": {"status": DocumentStatus.UPLOADED.value, "file_id": file_id,
                  "content_type": received.content_type, "size": received.size,
                  "sha256": received.sha256, "uploaded_at": utcnow(), "receiving_until": None}},
    )  # fmt: skip
    if done.matched_count == 0:  # deleted or erased while streaming
        await file_store().delete_many([file_id])
        raise TransferRefused("GONE", "This upload was cancelled", 410)
    return document_id, received


async def _release(document_id: ObjectId, file_id: ObjectId) -> None:
    await CandidateDocument.get_pymongo_collection().update_one(
        {"_id": document_id, "attempt_file_ids": file_id}, {"$set": {"receiving_until": None}}
    )


async def _why_not_claimed(document_id: ObjectId) -> TransferRefused:
    document = await CandidateDocument.get(document_id)
    if document is None:
        return TransferRefused("INVALID_TOKEN", "This upload URL is not valid", 404)
    if document.status is not DocumentStatus.PENDING:
        return TransferRefused("ALREADY_UPLOADED", "This upload URL was already used", 409)
    if document.upload_expires_at <= utcnow():
        return TransferRefused("URL_EXPIRED", "This upload URL has expired", 410)
    return TransferRefused("UPLOAD_IN_PROGRESS", "Another upload to this URL is running", 409)


@dataclass(frozen=True)
class Download:
    """An authorized download: the document and its bytes as a stream."""

    document: CandidateDocument
    chunks: AsyncIterator[bytes]


async def open_download(context: Context, token: str) -> Download:
    """Check the signed URL against the viewer and the access rule now, then stream the file."""
    viewer = context.viewer
    if viewer.sub is None:
        raise TransferRefused("UNAUTHENTICATED", "Send the bearer token you got the URL with", 401)
    verdict = check_download(context.settings, token, viewer.sub)
    if verdict.document_id is None:
        status = 410 if verdict.refusal == "URL_EXPIRED" else 403
        raise TransferRefused(verdict.refusal or "INVALID_URL", "This download URL is not valid"
                              " for you (or has expired)", status)  # fmt: skip
    document = await CandidateDocument.get(verdict.document_id)
    candidate = (
        await context.loaders.candidate_by_id.load(document.candidate_id) if document else None
    )
    if document is None or candidate is None or document.status is not DocumentStatus.ATTACHED:
        raise TransferRefused("NOT_FOUND", "This file no longer exists", 404)
    try:
        await ensure_can_see_contact(context, candidate, "documents")
    except ForbiddenError:
        raise TransferRefused("FORBIDDEN", "You may no longer see this file", 403) from None
    assert document.file_id is not None
    await AuditEvent(
        actor_sub=viewer.sub,
        action="downloadCandidateDocument",
        targets={"candidate": str(candidate.id), "document": str(document.id)},
        target_ids=sorted({str(candidate.id), str(document.id)}),
    ).insert()
    return Download(document, file_store().read(document.file_id))
