"""HTTP endpoints for file bytes: `PUT /uploads/{token}` in, `GET /files/{token}` out.

Uploads are raw `PUT` bodies, not multipart forms: a browser sends a cross-site PUT only after a
CORS preflight, so no other site can make a signed-in user's browser upload (multipart POST is
a "simple" request browsers send cross-site without asking). The token is the capability, as with
an S3 presigned URL. Downloads need the bearer token of the viewer the URL was signed for.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from crowdhire.auth.middleware import claims_of
from crowdhire.auth.roles import viewer_for
from crowdhire.context import Context, build_context
from crowdhire.resolvers.file_transfers import TransferRefused, accept_upload, open_download
from crowdhire.schema.documents import CandidateDocumentType

NO_STORE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _context(request: Request) -> Context:
    services = request.app.state.services
    return build_context(services.settings, services.cache, request=request)


def _refusal(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=NO_STORE)


async def put_upload(request: Request) -> Response:
    """Stream the body into the store under the upload the token names."""
    raw_length = request.headers.get("content-length")
    if raw_length is not None and not raw_length.isdigit():
        return _refusal("INVALID_INPUT", "Content-Length must be a number", 400)
    try:
        document_id, received = await accept_upload(
            _context(request),
            request.path_params["token"],
            request.stream(),
            int(raw_length) if raw_length is not None else None,
        )
    except TransferRefused as refused:
        return _refusal(refused.code, refused.message, refused.status)
    except ClientDisconnect:
        return Response(status_code=400)  # nobody is left to read an answer
    body = {"documentId": CandidateDocumentType.global_id(document_id),
            "size": received.size, "contentType": received.content_type}  # fmt: skip
    return JSONResponse(body, 201, headers=NO_STORE)


def _disposition(filename: str) -> str:
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


async def get_download(request: Request) -> Response:
    """The file as an attachment, never cached, never sniffed, never rendered inline."""
    context = _context(request)
    context.viewer = await viewer_for(claims_of(request.scope), context.loaders.roles_by_sub)
    try:
        download = await open_download(context, request.path_params["token"])
    except TransferRefused as refused:
        return _refusal(refused.code, refused.message, refused.status)
    document = download.document
    headers = NO_STORE | {
        "Content-Disposition": _disposition(document.filename),
        "Content-Length": str(document.size),
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return StreamingResponse(download.chunks, media_type=document.content_type, headers=headers)
