"""Candidate files after the first PUT: one-time upload URLs, sweeping unfinished ones, deletion."""

from __future__ import annotations

from datetime import timedelta

import httpx
from starlette.applications import Starlette

from crowdhire.files.gridfs_store import BUCKET
from crowdhire.files.sniff import TXT
from crowdhire.models import AuditEvent, BackgroundTask, Candidate, CandidateDocument, DocumentText
from crowdhire.models.common import utcnow
from crowdhire.models.documents import DocumentStatus
from tests.auth_support import Issuer
from tests.document_support import (
    DELETE_DOCUMENT,
    DOCUMENTS,
    OWNER,
    owned_candidate,
    pdf_bytes,
    pending_upload_url,
    stored_chunk_count,
    upload,
)
from tests.support import drain_tasks, gql


async def test_upload_urls_are_one_time_unforgeable_and_expire(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, cid = await owned_candidate()
    token = issuer.token(OWNER)
    url = await pending_upload_url(anonymous_client, token, cid, b"hello", TXT)
    forged = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
    assert (await anonymous_client.put(forged, content=b"hello")).status_code == 404
    assert (await anonymous_client.put(url, content=b"hello")).status_code == 201

    reused = await anonymous_client.put(url, content=b"hello")

    assert (reused.status_code, reused.json()["error"]["code"]) == (409, "ALREADY_UPLOADED")
    late = await pending_upload_url(anonymous_client, token, cid, b"hello", TXT)
    await CandidateDocument.find({"status": "pending"}).update(
        {"$set": {"upload_expires_at": utcnow() - timedelta(seconds=1)}}
    )
    expired = await anonymous_client.put(late, content=b"hello")
    assert (expired.status_code, expired.json()["error"]["code"]) == (410, "URL_EXPIRED")


async def test_unfinished_uploads_are_swept_with_their_chunks(
    app: Starlette, issuer: Issuer, anonymous_client: httpx.AsyncClient
) -> None:
    _, cid = await owned_candidate()
    token = issuer.token(OWNER)
    never_put = await pending_upload_url(anonymous_client, token, cid, b"hello", TXT)
    uploaded = await pending_upload_url(anonymous_client, token, cid, pdf_bytes("y", 300_000))
    assert (
        never_put
        and (await anonymous_client.put(uploaded, content=pdf_bytes("y", 300_000))).is_success
    )
    kept = await upload(anonymous_client, token, cid, b"attached", TXT, "kept.txt")
    assert await stored_chunk_count() > 0
    await BackgroundTask.find({"kind": "sweep_document_upload"}).update(
        {"$set": {"run_after": utcnow()}}
    )

    await drain_tasks(app)

    [left] = await CandidateDocument.find_all().to_list()
    assert left.filename == kept["filename"] and left.status is DocumentStatus.ATTACHED
    database = Candidate.get_pymongo_collection().database
    assert await database[f"{BUCKET}.files"].count_documents({}) == 1


async def test_deleting_a_file_removes_its_chunks_and_text(
    app: Starlette, anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, cid = await owned_candidate()
    token = issuer.token(OWNER)
    attached = await upload(anonymous_client, token, cid, b"Grace Hopper\n", TXT, "g.txt")
    await drain_tasks(app)
    assert await DocumentText.find_all().count() == 1

    deleted = (
        await gql(
            anonymous_client, DELETE_DOCUMENT, {"input": {"documentId": attached["id"]}}, as_=token
        )
    )["data"]

    assert deleted["deleteCandidateDocument"]["userErrors"] == []
    assert await stored_chunk_count() == 0 and await DocumentText.find_all().count() == 0
    assert (
        ((await gql(anonymous_client, DOCUMENTS, {"id": cid}, as_=token))["data"])["node"][
            "documents"
        ]
        == []
    )
    assert await AuditEvent.find({"action": "deleteCandidateDocument"}).count() == 1
    again = (
        await gql(
            anonymous_client, DELETE_DOCUMENT, {"input": {"documentId": attached["id"]}}, as_=token
        )
    )["data"]
    assert again["deleteCandidateDocument"]["userErrors"][0]["code"] == "NOT_FOUND"
