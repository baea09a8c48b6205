"""Signed upload and download tokens for candidate files (HMAC-SHA256 with a server key).

The key is derived from CONSENT_TOKEN_SECRET with a purpose label, so a token of one kind can
never pass as another. A download token covers the document, its expiry and the viewer's `sub`
(which the URL does not show): the download must present a bearer token of that same viewer.
An upload token covers only the document; the document's status makes it one-time, and being
derived rather than stored lets a retried create mutation hand out the same token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from bson import ObjectId
from bson.errors import InvalidId

from crowdhire.resolvers.consent_links import consent_secret
from crowdhire.settings import Settings


def _key(settings: Settings, purpose: str) -> bytes:
    label = f"crowdhire:{purpose}".encode()
    return hmac.new(consent_secret(settings).encode(), label, hashlib.sha256).digest()


def _mac(settings: Settings, purpose: str, message: str) -> str:
    digest = hmac.new(_key(settings, purpose), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def upload_token(settings: Settings, document_id: ObjectId) -> str:
    """The one-time upload token of a pending document."""
    return f"{document_id}.{_mac(settings, 'file-upload', str(document_id))}"


def upload_document_id(settings: Settings, token: str) -> ObjectId | None:
    """The document an upload token was issued for, None when forged or malformed."""
    raw_id = token.partition(".")[0]
    document_id = _object_id(raw_id)
    if document_id is None or not hmac.compare_digest(upload_token(settings, document_id), token):
        return None
    return document_id


def download_token(settings: Settings, document_id: ObjectId, sub: str, expires: int) -> str:
    """A token letting `sub` download a document until `expires` (Unix seconds)."""
    mac = _mac(settings, "file-download", f"{document_id}.{expires}.{sub}")
    return f"{document_id}.{expires}.{mac}"


@dataclass(frozen=True)
class DownloadVerdict:
    """The document a download token grants, or why it does not (`refusal`: a code)."""

    document_id: ObjectId | None
    refusal: str | None


def check_download(
    settings: Settings, token: str, sub: str, now: float | None = None
) -> DownloadVerdict:
    """Whether `sub` may use this download token now."""
    parts = token.split(".")
    document_id = _object_id(parts[0]) if len(parts) == 3 else None
    if document_id is None or not parts[1].isdigit():
        return DownloadVerdict(None, "INVALID_URL")
    expected = download_token(settings, document_id, sub, int(parts[1]))
    if not hmac.compare_digest(expected, token):
        return DownloadVerdict(None, "NOT_YOUR_URL")
    if int(parts[1]) < (time.time() if now is None else now):
        return DownloadVerdict(None, "URL_EXPIRED")
    return DownloadVerdict(document_id, None)


def _object_id(raw: str) -> ObjectId | None:
    try:
        return ObjectId(raw)
    except (InvalidId, TypeError):
        return None
