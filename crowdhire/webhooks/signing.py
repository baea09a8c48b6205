"""Standard Webhooks signatures: HMAC-SHA256 over `{id}.{timestamp}.{body}`, `v1,` base64.

Every secret still valid signs, so during a rotation's overlap the `webhook-signature` header
carries two space-separated signatures and a receiver holding either secret accepts it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from crowdhire.resolvers.webhooks import SECRET_PREFIX


def secret_key(secret: str) -> bytes:
    """The raw HMAC key inside a `whsec_` secret."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(
    valid_secrets: Iterable[str], message_id: str, timestamp: int, body: bytes
) -> str:
    """The `webhook-signature` value: one signature per valid secret, space-separated."""
    return " ".join(sign(s, message_id, timestamp, body) for s in valid_secrets)
