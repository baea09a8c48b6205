"""Consent link tokens: signed, expiring, bound to a candidate's current nonce and one purpose.

Only the email handler signs links and only the consent page reads them: no GraphQL field ever
returns one. A link is an HS256 JWT whose audience names the token format; changing that format
(`AUDIENCE`) invalidates every link issued before, which is how an upgrade retires links that
older versions returned to recruiters.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from bson import ObjectId
from bson.errors import InvalidId
from jose import ExpiredSignatureError, JWTError, jwt
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.models.candidates import Candidate
from crowdhire.resolvers.transactions import refuse
from crowdhire.settings import Settings

LINK_LIFETIME = timedelta(days=14)
# Format 2: emailed links with a purpose. Format 1 ("crowdhire:consent-link") went to recruiters.
AUDIENCE = "crowdhire:consent-link:2"
SECRET_FILE = "consent-token-secret"
MAX_TOKEN_LENGTH = 2048


class LinkPurpose(StrEnum):
    """What a link lets the person do."""

    DECIDE = "decide"
    REVOKE = "revoke"
    ERASE = "erase"
    RANKING = "ranking"


@lru_cache(maxsize=8)
def _stored_secret(data_dir: str) -> str:
    path = Path(data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: two processes starting together still agree on one secret
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_hex(32))
    return path.read_text().strip()


def consent_secret(settings: Settings) -> str:
    """CONSENT_TOKEN_SECRET, or (outside production) one generated once and kept under DATA_DIR."""
    if settings.consent_token_secret is not None:
        return settings.consent_token_secret.get_secret_value()
    if settings.crowdhire_env == "production":  # settings validation already refuses this
        raise RuntimeError("CONSENT_TOKEN_SECRET is required in production")
    return _stored_secret(str(Path(settings.data_dir).resolve()))


def new_nonce() -> str:
    """A fresh link nonce: storing it on the candidate retires every earlier link."""
    return secrets.token_urlsafe(18)


def link_expiry(now: datetime) -> datetime:
    """When a link issued now stops working."""
    return now + LINK_LIFETIME


def sign_link(settings: Settings, candidate: Candidate, purpose: LinkPurpose) -> str:
    """The token of the candidate's current link for `purpose` (the same on every retry)."""
    consent = candidate.consent
    assert candidate.id is not None and consent.link_nonce and consent.link_expires_at
    claims = {
        "aud": AUDIENCE,
        "sub": str(candidate.id),
        "nonce": consent.link_nonce,
        "use": purpose.value,
        "exp": int(consent.link_expires_at.timestamp()),
    }
    token: str = jwt.encode(claims, consent_secret(settings), algorithm="HS256")
    return token


def link_url(settings: Settings, token: str) -> str:
    """The page a token opens."""
    return f"{settings.public_origin}/consent/{token}"


def read_link(settings: Settings, token: str) -> tuple[ObjectId, str, LinkPurpose]:
    """Candidate id, nonce and purpose of a well-signed, unexpired token; refusals otherwise."""
    invalid = refuse(("token",), "INVALID_TOKEN", "This link is not valid (any more)")
    if not 1 <= len(token) <= MAX_TOKEN_LENGTH:
        raise invalid
    try:
        claims = jwt.decode(
            token, consent_secret(settings), algorithms=["HS256"], audience=AUDIENCE
        )
        return ObjectId(claims["sub"]), str(claims["nonce"]), LinkPurpose(claims["use"])
    except ExpiredSignatureError:
        raise refuse(("token",), "TOKEN_EXPIRED", "This link has expired") from None
    except (JWTError, KeyError, TypeError, ValueError, InvalidId):
        raise invalid from None


async def candidate_for_token(
    settings: Settings,
    token: str,
    purpose: LinkPurpose,
    session: AsyncClientSession | None = None,
) -> Candidate:
    """The candidate a valid, current link of this purpose points at; INVALID_TOKEN otherwise."""
    candidate_id, nonce, used_for = read_link(settings, token)
    candidate = await Candidate.find_one({"_id": candidate_id}, session=session)
    if (
        used_for is not purpose
        or candidate is None
        or not nonce
        or candidate.consent.link_nonce != nonce
    ):
        raise refuse(("token",), "INVALID_TOKEN", "This link is not valid (any more)")
    return candidate
