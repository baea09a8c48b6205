"""Consent links: a signed, expiring link the candidate uses to grant, decline or revoke consent.

A link is an HS256 JWT bound to the candidate and a nonce stored on the candidate: a new link
replaces the nonce (older links stop working), the link records one decision, and it stays good
for revoking consent or erasing the person's data until it expires or is replaced.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from bson import ObjectId
from bson.errors import InvalidId
from jose import ExpiredSignatureError, JWTError, jwt
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.loaders.base import CachedKind
from crowdhire.models.candidates import Candidate, ConsentEvent, ConsentMethod, ConsentStatus
from crowdhire.models.common import utcnow
from crowdhire.resolvers.candidates import candidate_outcome, editable_candidate
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation
from crowdhire.settings import Settings

LINK_LIFETIME = timedelta(days=14)
AUDIENCE = "crowdhire:consent-link"
SECRET_FILE = "consent-token-secret"
MAX_TOKEN_LENGTH = 2048


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


@dataclass(frozen=True)
class ConsentLink:
    """A link token for a candidate and when it stops working."""

    token: str
    expires_at: datetime


def sign_link(settings: Settings, candidate: Candidate) -> ConsentLink:
    """The token of the candidate's current link (deterministic: a retry gets the same one)."""
    consent = candidate.consent
    assert candidate.id is not None and consent.link_nonce and consent.link_expires_at
    claims = {
        "aud": AUDIENCE,
        "sub": str(candidate.id),
        "nonce": consent.link_nonce,
        "exp": int(consent.link_expires_at.timestamp()),
    }
    token: str = jwt.encode(claims, consent_secret(settings), algorithm="HS256")
    return ConsentLink(token=token, expires_at=consent.link_expires_at)


async def candidate_for_token(
    settings: Settings, token: str, session: AsyncClientSession
) -> Candidate:
    """The candidate a valid, current link points at; INVALID_TOKEN / TOKEN_EXPIRED otherwise."""
    invalid = refuse(("token",), "INVALID_TOKEN", "This link is not valid (any more)")
    if not 1 <= len(token) <= MAX_TOKEN_LENGTH:
        raise invalid
    try:
        claims = jwt.decode(
            token, consent_secret(settings), algorithms=["HS256"], audience=AUDIENCE
        )
        candidate_id, nonce = ObjectId(claims["sub"]), claims["nonce"]
    except ExpiredSignatureError:
        raise refuse(("token",), "TOKEN_EXPIRED", "This link has expired") from None
    except (JWTError, KeyError, TypeError, InvalidId):
        raise invalid from None
    candidate = await Candidate.find_one({"_id": candidate_id}, session=session)
    if candidate is None or not nonce or candidate.consent.link_nonce != nonce:
        raise invalid
    return candidate


def _record(candidate: Candidate, status: ConsentStatus, method: ConsentMethod) -> None:
    now = utcnow()
    consent = candidate.consent
    consent.status, consent.changed_at = status, now
    consent.history.append(ConsentEvent(status=status, at=now, method=method))
    candidate.updated_at = now


async def request_consent(
    context: Context, candidate_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """The owning recruiter gets a new link (older links of this candidate stop working)."""

    async def request(session: AsyncClientSession) -> Outcome:
        candidate = await editable_candidate(context, candidate_id, session, "request consent")
        if candidate.recruiter_id != context.viewer.recruiter_id:
            raise refuse(("candidateId",), "FORBIDDEN", "Only the candidate's recruiter may ask")
        consent = candidate.consent
        consent.link_nonce = secrets.token_urlsafe(18)
        consent.link_expires_at = utcnow() + LINK_LIFETIME
        consent.link_decided = False
        await candidate.save(session=session)
        await audit(context, session, "requestCandidateConsent", {"candidate": candidate_id},
                    ["consent.link"])  # fmt: skip
        return Outcome(
            ids={"candidate": str(candidate_id)}, forget=[(CachedKind.CANDIDATES, candidate_id)]
        )

    data = {"candidateId": str(candidate_id)}
    return await run_mutation(context, "requestCandidateConsent", data, request, client_mutation_id)


async def consent_link(context: Context, candidate_id: ObjectId) -> ConsentLink | None:
    """The current link of a candidate, for its recruiter only."""
    candidate = await Candidate.get(candidate_id)
    if (
        candidate is None
        or candidate.recruiter_id != context.viewer.recruiter_id
        or not candidate.consent.link_nonce
    ):
        return None
    return sign_link(context.settings, candidate)


async def confirm_consent(
    context: Context, token: str, decision: ConsentStatus, client_mutation_id: str | None
) -> Outcome:
    """Public: the person behind a link grants or declines, once per link."""

    async def confirm(session: AsyncClientSession) -> Outcome:
        if decision not in {ConsentStatus.GRANTED, ConsentStatus.DECLINED}:
            raise refuse(("decision",), "INVALID_INPUT", "decision is GRANTED or DECLINED")
        candidate = await candidate_for_token(context.settings, token, session)
        if candidate.consent.link_decided:
            raise refuse(("token",), "TOKEN_USED", "This link already recorded a decision")
        _record(candidate, decision, ConsentMethod.LINK)
        candidate.consent.link_decided = True
        await candidate.save(session=session)
        await audit(context, session, "confirmCandidateConsent", {"candidate": candidate.id},
                    ["consent.status"])  # fmt: skip
        return candidate_outcome(candidate)

    data = {"token": token, "decision": decision.value}
    return await run_mutation(context, "confirmCandidateConsent", data, confirm, client_mutation_id)


async def revoke_consent(
    context: Context,
    token: str | None,
    candidate_id: ObjectId | None,
    client_mutation_id: str | None,
) -> Outcome:
    """The person (through their link) or an admin withdraws granted consent."""

    async def revoke(session: AsyncClientSession) -> Outcome:
        candidate = await _by_token_or_admin(context, token, candidate_id, session)
        if candidate.consent.status is not ConsentStatus.GRANTED:
            raise refuse((), "NOT_GRANTED", "Consent is not currently granted")
        method = ConsentMethod.LINK if token is not None else ConsentMethod.ADMIN
        _record(candidate, ConsentStatus.REVOKED, method)
        await candidate.save(session=session)
        await audit(context, session, "revokeCandidateConsent", {"candidate": candidate.id},
                    ["consent.status"])  # fmt: skip
        return candidate_outcome(candidate)

    data = {"token": token, "candidateId": str(candidate_id) if candidate_id else None}
    return await run_mutation(context, "revokeCandidateConsent", data, revoke, client_mutation_id)


async def _by_token_or_admin(
    context: Context,
    token: str | None,
    candidate_id: ObjectId | None,
    session: AsyncClientSession,
) -> Candidate:
    if (token is None) == (candidate_id is None):
        raise refuse((), "INVALID_INPUT", "Pass either token or candidateId")
    if token is not None:
        return await candidate_for_token(context.settings, token, session)
    viewer = context.viewer
    if viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", "Sign in, or use the candidate's link")
    if not viewer.is_admin:
        raise refuse(("candidateId",), "FORBIDDEN", "Only admins act by candidateId")
    candidate = await Candidate.find_one({"_id": candidate_id}, session=session)
    if candidate is None or candidate.erased_at is not None:
        raise refuse(("candidateId",), "NOT_FOUND", "No such candidate")
    return candidate


async def candidate_consent(candidate_id: ObjectId) -> Candidate | None:
    """The candidate behind a consent payload (its consent state only is shown to link holders)."""
    return await Candidate.get(candidate_id)
