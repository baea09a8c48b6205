"""Real files made in the tests (PDF by hand, DOCX with python-docx, ODT as a zip) and the
three-step upload a client performs."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

import docx
import httpx

from crowdhire.files.gridfs_store import BUCKET
from crowdhire.files.sniff import DOCX, JPEG, ODT, PDF, PNG, TXT
from crowdhire.models import Candidate
from tests.factories import make_candidate, make_recruiter
from tests.support import global_id, gql

CREATE_UPLOAD = """mutation($input: CreateCandidateDocumentUploadInput!) {
  createCandidateDocumentUpload(input: $input) {
    upload { documentId uploadUrl uploadToken expiresAt maxBytes }
    userErrors { field code message } } }"""
COMPLETE_UPLOAD = """mutation($input: CandidateDocumentInput!) {
  completeCandidateDocumentUpload(input: $input) {
    document { id kind filename size contentType uploadedAt downloadUrl }
    candidate { id } userErrors { field code message } } }"""
DELETE_DOCUMENT = """mutation($input: CandidateDocumentInput!) {
  deleteCandidateDocument(input: $input) { document { id } candidate { id }
    userErrors { field code message } } }"""
DOCUMENTS = """query($id: ID!) { node(id: $id) { ... on Candidate {
  documents { id kind filename size contentType uploadedAt downloadUrl } } } }"""


def pdf_bytes(text: str, padding: int = 0) -> bytes:
    """A minimal valid one-page PDF showing `text` (plus `padding` bytes of a binary stream)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % padding
        + bytes(range(256)) * (padding // 256)
        + bytes(padding % 256)
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx_bytes(text: str) -> bytes:
    """A DOCX written by python-docx with one paragraph."""
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(text: str) -> bytes:
    """An ODT as LibreOffice lays it out: stored `mimetype` first, then content.xml."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text><text:p>{text}</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="'
        f'{ODT}"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def png_bytes() -> bytes:
    """A 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """The start of a JFIF JPEG (enough for its signature; images are not parsed)."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + bytes(64)
        + (b"\xff\xd9")
    )


SAMPLES: dict[str, tuple[str, bytes]] = {
    PDF: ("cv.pdf", pdf_bytes("Grace Hopper compilers")),
    DOCX: ("cv.docx", docx_bytes("Grace Hopper compilers")),
    ODT: ("cv.odt", odt_bytes("Grace Hopper compilers")),
    TXT: ("cv.txt", "Grace Hopper compilers — naïve café\n".encode()),
    PNG: ("photo.png", png_bytes()),
    JPEG: ("photo.jpg", jpeg_bytes()),
}


async def create_upload(
    client: httpx.AsyncClient, token: str | None, candidate_id: str, **fields: Any
) -> dict[str, Any]:
    """createCandidateDocumentUpload's payload."""
    values = {"candidateId": candidate_id, "kind": "CV", **fields}
    data = (await gql(client, CREATE_UPLOAD, {"input": values}, as_=token))["data"]
    payload: dict[str, Any] = data["createCandidateDocumentUpload"]
    return payload


async def upload(
    client: httpx.AsyncClient,
    token: str | None,
    candidate_id: str,
    content: bytes,
    content_type: str,
    filename: str = "cv.pdf",
) -> dict[str, Any]:
    """Create, PUT and complete: the attached document as the complete mutation shows it."""
    created = await create_upload(
        client, token, candidate_id, filename=filename, contentType=content_type, size=len(content)
    )
    assert created["userErrors"] == [], created
    put = await client.put(created["upload"]["uploadUrl"], content=content)
    assert put.status_code == 201, put.text
    document_id = created["upload"]["documentId"]
    done = (await gql(client, COMPLETE_UPLOAD, {"input": {"documentId": document_id}}, as_=token))[
        "data"
    ]
    payload = done["completeCandidateDocumentUpload"]
    assert payload["userErrors"] == [], payload
    document: dict[str, Any] = payload["document"]
    return document


OWNER = "auth0|owner"


async def owned_candidate(sub: str = OWNER) -> tuple[Candidate, str]:
    """A candidate of a fresh recruiter `sub`, and its API id."""
    recruiter = await make_recruiter(sub=sub)
    candidate = await make_candidate(recruiter)
    return candidate, global_id("Candidate", candidate)


async def stored_chunk_count() -> int:
    """GridFS chunks and file records left in the candidate-file bucket."""
    database = Candidate.get_pymongo_collection().database
    chunks: int = await database[f"{BUCKET}.chunks"].count_documents({})
    files: int = await database[f"{BUCKET}.files"].count_documents({})
    return chunks + files


async def pending_upload_url(
    client: httpx.AsyncClient,
    token: str,
    cid: str,
    content: bytes,
    content_type: str = PDF,
    size: int | None = None,
) -> str:
    """The one-time URL of a new pending upload of `content`."""
    created = await create_upload(
        client,
        token,
        cid,
        filename="cv",
        contentType=content_type,
        size=len(content) if size is None else size,
    )
    assert created["userErrors"] == [], created
    url: str = created["upload"]["uploadUrl"]
    return url
