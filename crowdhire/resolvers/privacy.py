"""Privacy: export everything stored about a person, erase it, and the legal hold that stops that.

Erasure anonymizes in place so the records that point at the person keep working: the candidate
becomes an "Erased candidate" stub (its id is then a pseudonymous reference that placements keep
for their financial record), submissions lose their pitch, stage notes and person keys, and cached
copies go.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.events.outbox import record_event
from crowdhire.events.subjects import candidate_subjects
from crowdhire.loaders.base import CachedKind
from crowdhire.matching.store import delete as delete_vector
from crowdhire.models import AuditEvent, Candidate, ErasureRecord, Placement, Submission
from crowdhire.models.candidates import Consent, ConsentStatus
from crowdhire.models.common import utcnow
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.models.events import EventType
from crowdhire.resolvers.candidates import editable_candidate
from crowdhire.resolvers.consent import ensure_link_actor
from crowdhire.resolvers.consent_links import LinkPurpose, candidate_for_token
from crowdhire.resolvers.events import actor_of
from crowdhire.resolvers.transactions import Outcome, audit, refuse, run_mutation

ERASED_NAME = "Erased candidate"
# Never exported: the link nonce is a credential, not information about the person.
_SECRET_FIELDS = {"consent": {"link_nonce"}}


async def export_candidate(
    context: Context, candidate_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """The owning recruiter or an admin asks for an export (audited; the data is read after)."""

    async def export(session: AsyncClientSession) -> Outcome:
        await editable_candidate(context, candidate_id, session, "export this candidate's data")
        await audit(context, session, "exportCandidateData", {"candidate": candidate_id})
        return Outcome(ids={"candidate": str(candidate_id)})

    data = {"candidateId": str(candidate_id)}
    return await run_mutation(context, "exportCandidateData", data, export, client_mutation_id)


async def candidate_export(context: Context, candidate_id: ObjectId) -> dict[str, Any] | None:
    """Every stored field about the person across collections, as JSON-ready values."""
    viewer = context.viewer
    candidate = await Candidate.get(candidate_id)
    if candidate is None or not (viewer.is_admin or candidate.recruiter_id == viewer.recruiter_id):
        return None
    profile = candidate.model_dump(mode="json", exclude=_SECRET_FIELDS)
    submissions = await Submission.find({"candidate_id": candidate_id}).sort("created_at").to_list()
    placements = await Placement.find({"candidate_id": candidate_id}).sort("created_at").to_list()
    events = await AuditEvent.find({"target_ids": str(candidate_id)}).sort("at").to_list()
    return {
        "candidate": profile,
        "consentLog": profile["consent"]["history"],
        "submissions": [s.model_dump(mode="json") for s in submissions],
        "placements": [p.model_dump(mode="json") for p in placements],
        "auditEvents": [
            {"id": str(e.id), "action": e.action, "at": e.at.isoformat()} for e in events
        ],
    }


async def erase_candidate(
    context: Context,
    candidate_id: ObjectId | None,
    token: str | None,
    client_mutation_id: str | None,
) -> Outcome:
    """Irreversibly anonymize the person everywhere (owner, admin, or the person's link)."""

    async def erase(session: AsyncClientSession) -> Outcome:
        if (token is None) == (candidate_id is None):
            raise refuse((), "INVALID_INPUT", "Pass either token or candidateId")
        if token is not None:
            candidate = await candidate_for_token(
                context.settings, token, LinkPurpose.ERASE, session
            )
            ensure_link_actor(context, candidate)
        else:
            assert candidate_id is not None
            candidate = await editable_candidate(context, candidate_id, session, "erase them")
        if candidate.legal_hold:
            raise refuse((), "LEGAL_HOLD", "This candidate is under a legal hold")
        person = candidate.id
        assert person is not None
        submission_ids, placement_ids = await anonymize_everywhere(candidate, session)
        erased = ["profile", "contact", "consent", "submissions.pitch", "submissions.notes"]
        await audit(context, session, "eraseCandidate", {"candidate": person}, erased)
        await record_event(
            session,
            EventType.CANDIDATE_ERASED,
            actor_of(context),
            candidate_subjects(candidate),
            erased,
        )
        forget: list[tuple[CachedKind, ObjectId | str]] = [(CachedKind.CANDIDATES, person)]
        forget += [(CachedKind.SUBMISSIONS, i) for i in submission_ids]
        forget += [(CachedKind.PLACEMENTS, i) for i in placement_ids]
        return Outcome(ids={"candidate": str(person)}, forget=forget)

    data = {"candidateId": str(candidate_id) if candidate_id else context.viewer.sub}
    return await run_mutation(context, "eraseCandidate", data, erase, client_mutation_id)


async def anonymize_everywhere(
    candidate: Candidate, session: AsyncClientSession
) -> tuple[list[ObjectId], list[ObjectId]]:
    """Anonymize the candidate and their submissions, and add them to the erasure ledger that
    a restore from backup re-applies; returns the ids of their submissions and placements."""
    person = candidate.id
    assert person is not None
    _anonymize(candidate)
    await candidate.save(session=session)
    await delete_vector(EmbeddedKind.CANDIDATE, person, session)
    submission_ids = await _scrub_submissions(person, session)
    placements = Placement.get_pymongo_collection()
    placement_ids = await placements.distinct("_id", {"candidate_id": person}, session=session)
    ledger = ErasureRecord.get_pymongo_collection()
    await ledger.update_one({"_id": person}, {"$setOnInsert": {"erased_at": candidate.erased_at}},
                            upsert=True, session=session)  # fmt: skip
    return submission_ids, placement_ids


def _anonymize(candidate: Candidate) -> None:
    now = utcnow()
    candidate.full_name, candidate.headline, candidate.location = ERASED_NAME, "", ""
    candidate.email = candidate.phone = None
    candidate.email_normalized = candidate.phone_normalized = None
    candidate.skills, candidate.links, candidate.years_experience = [], [], 0
    candidate.summary, candidate.desired_salary, candidate.languages = "", None, []
    # The consent log goes too; a fresh REVOKED state (no link) keeps them out of submissions.
    candidate.consent = Consent(status=ConsentStatus.REVOKED, changed_at=now)
    candidate.erased_at = candidate.updated_at = now


async def _scrub_submissions(person: ObjectId, session: AsyncClientSession) -> list[ObjectId]:
    collection = Submission.get_pymongo_collection()
    ids: list[ObjectId] = await collection.distinct(
        "_id", {"candidate_id": person}, session=session
    )
    if ids:
        await collection.update_many(
            {"candidate_id": person},
            # person_keys are unsalted hashes of the email and phone: they go too
            {
                "$set": {
                    "pitch": "",
                    "history.$[].note": "",
                    "person_keys": [],
                    "updated_at": utcnow(),
                }
            },
            session=session,
        )
    return ids


async def set_legal_hold(
    context: Context, candidate_id: ObjectId, legal_hold: bool, client_mutation_id: str | None
) -> Outcome:
    """Admins put a candidate under (or release them from) a legal hold that blocks erasure."""

    async def hold(session: AsyncClientSession) -> Outcome:
        viewer = context.viewer
        if viewer.is_anonymous:
            raise refuse((), "UNAUTHENTICATED", "Sign in to set a legal hold")
        if not viewer.is_admin:
            raise refuse(("candidateId",), "FORBIDDEN", "Only admins set legal holds")
        candidate = await Candidate.find_one({"_id": candidate_id}, session=session)
        if candidate is None or candidate.erased_at is not None:
            raise refuse(("candidateId",), "NOT_FOUND", "No such candidate")
        candidate.legal_hold = legal_hold
        candidate.updated_at = utcnow()
        await candidate.save(session=session)
        await audit(context, session, "setCandidateLegalHold", {"candidate": candidate_id},
                    ["legal_hold"])  # fmt: skip
        return Outcome(
            ids={"candidate": str(candidate_id)}, forget=[(CachedKind.CANDIDATES, candidate_id)]
        )

    data = {"candidateId": str(candidate_id), "legalHold": legal_hold}
    return await run_mutation(context, "setCandidateLegalHold", data, hold, client_mutation_id)
