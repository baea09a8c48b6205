"""Background work on candidate files: text extraction and the sweep of unfinished uploads.

Both are idempotent (delivery is at least once). A file that cannot be parsed in time is marked
FAILED rather than retried: the same bytes would fail again. Log lines carry ids and reasons
only, never extracted text.
"""

from __future__ import annotations

import logging
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.files.extract import ExtractionFailed, extract_text
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models import CandidateDocument, DocumentText
from crowdhire.models.common import utcnow
from crowdhire.models.documents import DocumentStatus, TextStatus
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.resolvers.documents import file_store, remove_documents
from crowdhire.settings import Settings

log = logging.getLogger("crowdhire.documents")


def document_task_handlers(settings: Settings) -> dict[str, Any]:
    """The task kinds of candidate files, for the app's worker."""

    async def extract(payload: dict[str, Any]) -> None:
        await extract_document_text(settings, ObjectId(payload["document_id"]))

    async def sweep(payload: dict[str, Any]) -> None:
        await sweep_upload(ObjectId(payload["document_id"]))

    return {"extract_document_text": extract, "sweep_document_upload": sweep}


async def extract_document_text(settings: Settings, document_id: ObjectId) -> None:
    """Extract and store one attached document's text (FAILED when the parser gives none)."""
    document = await CandidateDocument.get(document_id)
    if document is None or document.status is not DocumentStatus.ATTACHED:
        return  # deleted or erased since: nothing to do
    assert document.file_id is not None and document.content_type is not None
    try:
        extracted = await extract_text(
            file_store(),
            document.file_id,
            document.content_type,
            limit_seconds=settings.text_extract_timeout_seconds,
            max_chars=settings.text_extract_max_chars,
        )
    except ExtractionFailed as failed:
        log.warning("text extraction failed", extra={"document_id": str(document_id),
                                                     "reason": str(failed)})  # fmt: skip
        await _mark(document_id, TextStatus.FAILED, None)
        return
    text = DocumentText(
        document_id=document_id,
        candidate_id=document.candidate_id,
        kind=document.kind,
        text=extracted.text,
        truncated=extracted.truncated,
    )
    await _mark(document_id, TextStatus.DONE, text)


async def _mark(document_id: ObjectId, status: TextStatus, text: DocumentText | None) -> None:
    # The status write and the text commit together; an erasure deleting the document at the
    # same time conflicts on it, so text can never outlive its document.
    client = CandidateDocument.get_pymongo_collection().database.client
    async with client.start_session() as session:

        async def body(session: AsyncClientSession) -> None:
            marked = await CandidateDocument.get_pymongo_collection().update_one(
                {"_id": document_id, "status": DocumentStatus.ATTACHED.value},
                {"$set": {"text_status": status.value}},
                session=session,
            )
            if marked.matched_count and text is not None:
                raw = text.model_dump(by_alias=True, exclude={"id"}) | {"extracted_at": utcnow()}
                await DocumentText.get_pymongo_collection().replace_one(
                    {"document_id": document_id}, raw, upsert=True, session=session
                )
                # The CV now feeds the candidate's vector; queued with the text, so never lost.
                await enqueue_embedding(EmbeddedKind.CANDIDATE, text.candidate_id, session)

        await session.with_transaction(body)


async def sweep_upload(document_id: ObjectId) -> None:
    """An upload never attached is removed with every chunk its PUTs wrote."""
    document = await CandidateDocument.get(document_id)
    if document is None or document.status is DocumentStatus.ATTACHED:
        return
    await remove_documents([document], None)
    log.info("unfinished upload swept", extra={"document_id": str(document_id)})
