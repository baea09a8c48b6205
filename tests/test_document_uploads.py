"""Uploading candidate files: the three-step flow, every bad input one by one, nothing left over."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from crowdhire.files.sniff import DOCX, ODT, PDF, TXT
from crowdhire.models import (
    AuditEvent,
    CandidateDocument,
)
from crowdhire.models.documents import DocumentStatus
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.document_support import (
    COMPLETE_UPLOAD,
    DOCUMENTS,
    OWNER,
    SAMPLES,
    create_upload,
    docx_bytes,
    owned_candidate,
    pdf_bytes,
    pending_upload_url,
    png_bytes,
    stored_chunk_count,
    upload,
)
from tests.factories import make_recruiter
from tests.support import gql


async def test_upload_then_list_then_download_the_same_bytes(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    candidate, cid = await owned_candidate()
    token = issuer.token(OWNER)
    content = pdf_bytes("Ada Lovelace", padding=600_000)  # several GridFS chunks

    attached = await upload(anonymous_client, token, cid, content, PDF, filename="Ada CV.pdf")

    assert attached["kind"] == "CV" and attached["filename"] == "Ada CV.pdf"
    assert attached["size"] == len(content) and attached["contentType"] == PDF
    listed = (await gql(anonymous_client, DOCUMENTS, {"id": cid}, as_=token))["data"]
    [document] = listed["node"]["documents"]
    assert document["id"] == attached["id"]
    response = await anonymous_client.get(
        document["downloadUrl"], headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == PDF
    assert response.headers["content-disposition"].startswith('attachment; filename="Ada CV.pdf"')
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"
    actions = [e.action for e in await AuditEvent.find({"target_ids": str(candidate.id)}).to_list()]
    assert "uploadCandidateDocument" in actions and "downloadCandidateDocument" in actions
    for event in await AuditEvent.find({"action": {"$regex": "Document$"}}).to_list():
        assert set(event.targets) == {"candidate", "document"} and event.changed_fields == []


@pytest.mark.parametrize("content_type", sorted(SAMPLES))
async def test_each_allowed_type_is_accepted_by_its_bytes(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, content_type: str
) -> None:
    _, cid = await owned_candidate()
    filename, content = SAMPLES[content_type]

    attached = await upload(
        anonymous_client, issuer.token(OWNER), cid, content, content_type, filename
    )

    assert attached["contentType"] == content_type and attached["filename"] == filename


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ada\\cv.pdf", "cv.pdf"),
        ('quo"te.pdf', "quote.pdf"),
    ],
)
async def test_filenames_lose_path_parts_and_quotes(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, raw: str, clean: str
) -> None:
    _, cid = await owned_candidate()
    content = pdf_bytes("x")

    attached = await upload(anonymous_client, issuer.token(OWNER), cid, content, PDF, raw)

    assert attached["filename"] == clean


@pytest.mark.parametrize("raw", ["cv\x00.pdf", "cv\x07.pdf", "cv\u202efdp.exe", "cv\r\n.pdf"])
async def test_filenames_with_control_or_bidi_characters_are_refused(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, raw: str
) -> None:
    """The API-wide text rule: such a name could display as another file's, so nothing is made."""
    _, cid = await owned_candidate()

    created = await create_upload(
        anonymous_client, issuer.token(OWNER), cid, filename=raw, contentType=PDF, size=10
    )

    assert created["upload"] is None
    assert [(e["field"], e["code"]) for e in created["userErrors"]] == [
        (["filename"], "INVALID_INPUT")
    ]
    assert await CandidateDocument.find_all().count() == 0


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"filename": "../\x00/"}, (["filename"], "INVALID_INPUT")),
        ({"contentType": "application/x-msdownload"}, (["contentType"], "UNSUPPORTED_TYPE")),
        ({"size": 0}, (["size"], "INVALID_INPUT")),
        ({"size": 10 * 1024 * 1024 + 1}, (["size"], "TOO_LARGE")),
        ({"candidateId": "nonsense"}, (["candidateId"], "INVALID_INPUT")),
    ],
)
async def test_bad_upload_requests_are_named_errors(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, fields: dict[str, Any], error: Any
) -> None:
    _, cid = await owned_candidate()
    values = {"filename": "cv.pdf", "contentType": PDF, "size": 100, **fields}
    candidate_id = values.pop("candidateId", cid)

    created = await create_upload(anonymous_client, issuer.token(OWNER), candidate_id, **values)

    assert [(e["field"], e["code"]) for e in created["userErrors"]] == [error]
    assert created["upload"] is None
    assert await CandidateDocument.find_all().count() == 0


@pytest.mark.parametrize(("who", "code"), [(None, "UNAUTHENTICATED"), ("other", "FORBIDDEN")])
async def test_only_the_owner_or_an_admin_opens_uploads(
    anonymous_client: httpx.AsyncClient, issuer: Issuer, who: str | None, code: str
) -> None:
    _, cid = await owned_candidate()
    await make_recruiter(sub="auth0|other")
    token = issuer.token("auth0|other") if who else None

    created = await create_upload(
        anonymous_client, token, cid, filename="a.pdf", contentType=PDF, size=10
    )

    assert created["userErrors"][0]["code"] == code
    admin = await create_upload(
        anonymous_client, issuer.admin_token(), cid, filename="a.pdf", contentType=PDF, size=10
    )
    assert admin["userErrors"] == []


async def test_a_candidate_holds_at_most_the_file_limit(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(max_documents_per_candidate=2) as (_, client):
        _, cid = await owned_candidate()
        token = issuer.token(OWNER)
        for _ in range(2):
            await pending_upload_url(client, token, cid, b"hello")

        third = await create_upload(client, token, cid, filename="c", contentType=TXT, size=5)

        assert [(e["field"], e["code"]) for e in third["userErrors"]] == [
            (["candidateId"], "TOO_MANY_FILES")
        ]


async def test_create_and_complete_are_safe_to_retry(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, cid = await owned_candidate()
    token = issuer.token(OWNER)
    fields = {"filename": "a.txt", "contentType": TXT, "size": 5, "clientMutationId": "k1"}
    first = await create_upload(anonymous_client, token, cid, **fields)
    again = await create_upload(anonymous_client, token, cid, **fields)
    assert first == again and await CandidateDocument.find_all().count() == 1
    assert (await anonymous_client.put(first["upload"]["uploadUrl"], content=b"hello")).is_success
    document_id = first["upload"]["documentId"]

    done = [
        (
            await gql(
                anonymous_client, COMPLETE_UPLOAD, {"input": {"documentId": document_id}}, as_=token
            )
        )["data"]
        for _ in range(2)
    ]

    # The same document both times; only its signed URL may differ (it carries its expiry second).
    for answer in done:
        answer["completeCandidateDocumentUpload"]["document"].pop("downloadUrl")
    assert done[0] == done[1]
    assert await AuditEvent.find({"action": "uploadCandidateDocument"}).count() == 1


async def test_completing_before_the_bytes_arrive_is_refused(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, cid = await owned_candidate()
    token = issuer.token(OWNER)
    created = await create_upload(
        anonymous_client, token, cid, filename="a.txt", contentType=TXT, size=5
    )
    done = (
        await gql(
            anonymous_client,
            COMPLETE_UPLOAD,
            {"input": {"documentId": created["upload"]["documentId"]}},
            as_=token,
        )
    )["data"]

    assert done["completeCandidateDocumentUpload"]["userErrors"][0]["code"] == "NOT_UPLOADED"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_NAMES = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}
BAD_BODIES = [
    pytest.param(b"MZ\x90\x00" + bytes(600), PDF, 415, "UNSUPPORTED_TYPE", id="executable"),
    pytest.param(png_bytes(), PDF, 415, "CONTENT_TYPE_MISMATCH", id="png-declared-pdf"),
    pytest.param(b"plain words", PDF, 415, "CONTENT_TYPE_MISMATCH", id="text-declared-pdf"),
    pytest.param("caf\xe9".encode("latin-1"), TXT, 415, "UNSUPPORTED_TYPE", id="not-utf8"),
    pytest.param(_zip({"a.txt": b"hi"}), DOCX, 415, "UNSUPPORTED_TYPE", id="plain-zip"),
    pytest.param(_zip({"content.xml": b"<x/>"}), ODT, 415, "UNSUPPORTED_TYPE", id="odt-no-mime"),
    pytest.param(
        _zip({**DOCX_NAMES, **{f"f{i}": b"" for i in range(1001)}}),
        DOCX,
        415,
        "UNSUPPORTED_TYPE",
        id="zip-bomb-entries",
    ),
    pytest.param(
        _zip({**DOCX_NAMES, "word/media/zeros": bytes(70 * 1024 * 1024)}),
        DOCX,
        415,
        "UNSUPPORTED_TYPE",
        id="zip-bomb-size",
    ),
    pytest.param(docx_bytes("x")[:-30], DOCX, 415, "UNSUPPORTED_TYPE", id="truncated-docx"),
]


@pytest.mark.parametrize(("body", "declared", "status", "code"), BAD_BODIES)
async def test_bad_bytes_are_refused_and_leave_no_chunks(
    anonymous_client: httpx.AsyncClient,
    issuer: Issuer,
    body: bytes,
    declared: str,
    status: int,
    code: str,
) -> None:
    _, cid = await owned_candidate()
    url = await pending_upload_url(anonymous_client, issuer.token(OWNER), cid, body, declared)

    response = await anonymous_client.put(url, content=body)

    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert await stored_chunk_count() == 0
    [document] = await CandidateDocument.find_all().to_list()
    assert document.status is DocumentStatus.PENDING


class CountingBody:
    """A streamed request body that records how many chunks the server asked for."""

    def __init__(self, chunk: bytes, chunks: int) -> None:
        self.chunk, self.chunks, self.sent = chunk, chunks, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.sent += 1
            yield self.chunk


async def test_too_many_bytes_are_refused_while_streaming(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(max_upload_bytes=256 * 1024) as (_, client):
        _, cid = await owned_candidate()
        head = pdf_bytes("x")
        url = await pending_upload_url(client, issuer.token(OWNER), cid, head, size=200 * 1024)
        body = CountingBody(head + bytes(64 * 1024 - len(head)), chunks=100)  # 6.4 MB offered

        response = await client.put(url, content=body)  # no Content-Length: chunked

        assert (response.status_code, response.json()["error"]["code"]) == (413, "SIZE_MISMATCH")
        assert body.sent <= 5  # refused after the declared size, not after reading everything
        assert await stored_chunk_count() == 0


async def test_a_body_past_the_cap_is_refused_by_its_length_header(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(max_upload_bytes=4096) as (_, client):
        _, cid = await owned_candidate()
        url = await pending_upload_url(client, issuer.token(OWNER), cid, b"a" * 4096)

        response = await client.put(url, content=b"a" * 5000)

        assert (response.status_code, response.json()["error"]["code"]) == (413, "TOO_LARGE")


async def test_fewer_bytes_than_declared_are_refused(
    anonymous_client: httpx.AsyncClient, issuer: Issuer
) -> None:
    _, cid = await owned_candidate()
    url = await pending_upload_url(anonymous_client, issuer.token(OWNER), cid, b"", TXT, size=100)

    response = await anonymous_client.put(url, content=b"only some")

    assert (response.status_code, response.json()["error"]["code"]) == (400, "SIZE_MISMATCH")
    assert await stored_chunk_count() == 0
