"""Consent decisions: the person's answer through their emailed link, and withdrawal.

Link decisions come only from the consent page, which refuses signed-in callers; their audit
actor is `candidate:<id>`, so they can be told apart from anything a recruiter or admin did.
Requests and resends live in `consent_requests`, tokens in `consent_links`.
"""

from __future__ import annotations

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.auth import Viewer
from crowdhire.context import Context
from crowdhire.events.outbox import record_event
from crowdhire.events.subjects import candidate_subjects
from crowdhire.models.candidates import Candidate, ConsentEvent, ConsentMethod, ConsentStatus
from crowdhire.models.common import utcnow
from crowdhire.models.events import EventType
from crowdhire.resolvers.candidates import candidate_outcome
from crowdhire.resolvers.consent_links import LinkPurpose, candidate_for_token
from crowdhire.resolvers.events import actor_of
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation

CANDIDATE_ACTOR_PREFIX = "candidate:"


def candidate_actor(candidate_id: ObjectId) -> Viewer:
    """Who acts through a candidate's own link: never a signed-in identity."""
    return Viewer(sub=f"{CANDIDATE_ACTOR_PREFIX}{candidate_id}")


def ensure_link_actor(context: Context, candidate: Candidate) -> None:
    """Link actions run only as that candidate's own actor, which only the page builds."""
    if context.viewer.sub != f"{CANDIDATE_ACTOR_PREFIX}{candidate.id}":
        raise refuse(("token",), "FORBIDDEN", "Only the person the link was sent to may use it")


def _record(candidate: Candidate, status: ConsentStatus, method: ConsentMethod) -> None:
    now = utcnow()
    consent = candidate.consent
    consent.status, consent.changed_at = status, now
    consent.history.append(ConsentEvent(status=status, at=now, method=method))
    candidate.updated_at = now


async def confirm_consent(
    context: Context, token: str, decision: ConsentStatus, client_mutation_id: str | None
) -> Outcome:
    """The person behind a decision link grants or declines, once per link (the page only)."""

    async def confirm(session: AsyncClientSession) -> Outcome:
        if decision not in {ConsentStatus.GRANTED, ConsentStatus.DECLINED}:
            raise refuse(("decision",), "INVALID_INPUT", "decision is GRANTED or DECLINED")
        candidate = await candidate_for_token(context.settings, token, LinkPurpose.DECIDE, session)
        ensure_link_actor(context, candidate)
        if candidate.consent.link_decided:
            raise refuse(("token",), "TOKEN_USED", "This link already recorded a decision")
        _record(candidate, decision, ConsentMethod.LINK)
        candidate.consent.link_decided = True
        await candidate.save(session=session)
        await audit(context, session, "confirmCandidateConsent", {"candidate": candidate.id},
                    ["consent.status"])  # fmt: skip
        await record_event(
            session,
            EventType.CANDIDATE_CONSENT_CHANGED,
            actor_of(context),
            candidate_subjects(candidate),
            ["consent.status"],
        )
        return candidate_outcome(candidate)

    data = {"candidate": context.viewer.sub, "decision": decision.value}
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
        await record_event(
            session,
            EventType.CANDIDATE_CONSENT_CHANGED,
            actor_of(context),
            candidate_subjects(candidate),
            ["consent.status"],
        )
        return candidate_outcome(candidate)

    data = {"candidateId": str(candidate_id) if candidate_id else context.viewer.sub}
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
        linked = await candidate_for_token(context.settings, token, LinkPurpose.REVOKE, session)
        ensure_link_actor(context, linked)
        return linked
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
    """The candidate behind a consent payload."""
    return await Candidate.get(candidate_id)
