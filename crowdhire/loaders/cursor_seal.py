"""Cursors are sealed with the server's key: unreadable to clients, refused when changed.

AES-SIV is deterministic authenticated encryption: the same position always gives the same
cursor (an edge's cursor equals `endCursor`), the payload cannot be read, and any change to it,
or a cursor made up by a client, fails authentication. Every instance of a deployment must hold
the same key (`CURSOR_SECRET`) so a cursor from one is accepted by the others.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

_CONTEXT = [b"crowdhire cursor v2"]


class _Sealer:
    aead = AESSIV(secrets.token_bytes(64))  # until the app installs its configured key


def use_cursor_secret(secret: str) -> None:
    """Seal and open cursors with this secret from now on (called once at start-up)."""
    _Sealer.aead = AESSIV(hashlib.sha512(secret.encode()).digest())


def seal(payload: bytes) -> str:
    """The URL-safe, opaque cursor for a payload."""
    return base64.urlsafe_b64encode(_Sealer.aead.encrypt(payload, _CONTEXT)).decode().rstrip("=")


def unseal(cursor: str) -> bytes | None:
    """The payload a cursor was sealed from; None when this server did not seal it."""
    try:
        sealed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return _Sealer.aead.decrypt(sealed, _CONTEXT)
    except (binascii.Error, ValueError, InvalidTag):
        return None
