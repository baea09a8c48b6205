"""Asking for consent: the platform emails the person a fresh link; the recruiter never sees it.

Each request or resend stores a new nonce (every earlier link stops working, so a link sent to
a since-corrected address dies too) and queues the email in the same transaction. The email
task carries the candidate id and that nonce, never a token: its handler signs the links.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.loaders.base import CachedKind
from crowdhire.models.candidates import Candidate, ConsentStatus
from crowdhire.models.common import utcnow
from crowdhire.resolvers.candidates import editable_candidate
from crowdhire.resolvers.consent_links import link_expiry, new_nonce
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation
from crowdhire.settings import Settings
from crowdhire.tasks import queue

CONSENT_EMAIL_TASK = "consent-email"
DAY = timedelta(days=1)


def _check_rate(settings: Settings, candidate: Candidate, now: datetime) -> list[datetime]:
    """The emails of the last day, or RATE_LIMITED when another one would be too soon."""
    recent = [at for at in candidate.consent.recent_emails if at > now - DAY]
    interval = timedelta(seconds=settings.consent_email_interval_seconds)
    next_at = None
    if recent and max(recent) + interval > now:
        next_at = max(recent) + interval
    if len(recent) >= settings.consent_emails_per_day:
        next_at = max(next_at or now, sorted(recent)[-settings.consent_emails_per_day] + DAY)
    if next_at is not None:
        when = next_at.strftime("%Y-%m-%d %H:%M UTC")
        message = f"An email to this person went out recently; try again after {when}"
        raise refuse(("candidateId",), "RATE_LIMITED", message)
    return recent


async def _email_link(
    context: Context, candidate: Candidate, session: AsyncClientSession, *, new_request: bool
) -> None:
    """Store a fresh link on the candidate and queue the email that carries it."""
    if context.settings.smtp_url is None:
        raise refuse((), "EMAIL_UNAVAILABLE", "Email is not configured on this server")
    if not candidate.email:
        message = "Add the person's email address first: the link is sent there"
        raise refuse(("candidateId",), "NO_EMAIL", message)
    now = utcnow()
    recent = _check_rate(context.settings, candidate, now)
    consent = candidate.consent
    consent.link_nonce, consent.link_expires_at = new_nonce(), link_expiry(now)
    consent.link_decided = False
    consent.recent_emails = [*recent, now]
    if new_request or consent.requested_at is None:
        consent.requested_at = now
    candidate.updated_at = now
    await candidate.save(session=session)
    assert candidate.id is not None
    await queue.enqueue(
        CONSENT_EMAIL_TASK,
        {"candidate": str(candidate.id), "nonce": consent.link_nonce},
        session=session,
        dedupe_key=f"{CONSENT_EMAIL_TASK}:{candidate.id}:{consent.link_nonce}",
    )


async def _owned_candidate(
    context: Context, candidate_id: ObjectId, session: AsyncClientSession
) -> Candidate:
    candidate = await editable_candidate(context, candidate_id, session, "ask for consent")
    if candidate.recruiter_id != context.viewer.recruiter_id:
        raise refuse(("candidateId",), "FORBIDDEN", "Only the candidate's recruiter may ask")
    return candidate


async def request_consent(
    context: Context, candidate_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """The owning recruiter asks; the platform emails the person a link (older links die)."""

    async def request(session: AsyncClientSession) -> Outcome:
        candidate = await _owned_candidate(context, candidate_id, session)
        if candidate.consent.status is ConsentStatus.GRANTED:
            raise refuse(("candidateId",), "ALREADY_GRANTED", "The person already consented")
        await _email_link(context, candidate, session, new_request=True)
        await audit(context, session, "requestCandidateConsent", {"candidate": candidate_id},
                    ["consent.link"])  # fmt: skip
        return Outcome(
            ids={"candidate": str(candidate_id)}, forget=[(CachedKind.CANDIDATES, candidate_id)]
        )

    data = {"candidateId": str(candidate_id)}
    return await run_mutation(context, "requestCandidateConsent", data, request, client_mutation_id)


async def resend_consent(
    context: Context, candidate_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """The same open request again, by email, with a fresh link (rate-limited)."""

    async def resend(session: AsyncClientSession) -> Outcome:
        candidate = await _owned_candidate(context, candidate_id, session)
        consent = candidate.consent
        if consent.link_nonce is None or consent.link_decided:
            message = "There is no open consent request: the person answered, or none was made"
            raise refuse(("candidateId",), "NO_OPEN_REQUEST", message)
        await _email_link(context, candidate, session, new_request=False)
        await audit(context, session, "resendCandidateConsent", {"candidate": candidate_id},
                    ["consent.link"])  # fmt: skip
        return Outcome(
            ids={"candidate": str(candidate_id)}, forget=[(CachedKind.CANDIDATES, candidate_id)]
        )

    data = {"candidateId": str(candidate_id)}
    return await run_mutation(context, "resendCandidateConsent", data, resend, client_mutation_id)
