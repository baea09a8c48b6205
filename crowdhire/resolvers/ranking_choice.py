"""A person's choice about automated ranking (GDPR Art. 22): opting out and back in.

`apply_automated_ranking` is the building block for every channel: the recruiter's
mutation, and the person's own emailed link (`choose_by_link`, called by the consent page
only, whose audit actor is `candidate:<id>` as for the person's other link decisions).
"""

from __future__ import annotations

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.context import Context
from crowdhire.loaders.base import CachedKind
from crowdhire.matching.store import delete as delete_vector
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models.candidates import AutomatedRanking, Candidate
from crowdhire.models.common import utcnow
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.resolvers.candidates import candidate_outcome, editable_candidate
from crowdhire.resolvers.consent import ensure_link_actor
from crowdhire.resolvers.consent_links import LinkPurpose, candidate_for_token
from crowdhire.resolvers.transactions import Outcome, audit, run_mutation


async def apply_automated_ranking(
    session: AsyncClientSession, candidate: Candidate, choice: AutomatedRanking
) -> list[str]:
    """Record the choice in the caller's transaction; the changed field names ([] if none).

    Opting out deletes the stored vector in the same transaction, so no instance can rank
    the person from it again; opting back in queues a fresh embedding.
    """
    if candidate.automated_ranking is choice:
        return []
    assert candidate.id is not None
    candidate.automated_ranking = choice
    candidate.updated_at = utcnow()
    await candidate.save(session=session)
    if choice is AutomatedRanking.OPTED_OUT:
        await delete_vector(EmbeddedKind.CANDIDATE, candidate.id, session)
    else:
        await enqueue_embedding(EmbeddedKind.CANDIDATE, candidate.id, session)
    return ["automated_ranking"]


def forget_vector_here(context: Context, candidate_id: ObjectId, choice: AutomatedRanking) -> None:
    """After the commit: drop the vector from this process's index at once (others poll)."""
    if choice is AutomatedRanking.OPTED_OUT and context.matching is not None:
        context.matching.index[EmbeddedKind.CANDIDATE].remove(candidate_id)
        context.matching.skills.forget(candidate_id)


async def set_automated_ranking(
    context: Context,
    candidate_id: ObjectId,
    choice: AutomatedRanking,
    client_mutation_id: str | None,
) -> Outcome:
    """The candidate's recruiter (or an admin) records the person's choice."""

    async def record(session: AsyncClientSession) -> Outcome:
        candidate = await editable_candidate(
            context, candidate_id, session, "record this person's choice"
        )
        changed = await apply_automated_ranking(session, candidate, choice)
        await audit(context, session, "setCandidateAutomatedRanking",
                    {"candidate": candidate_id}, changed)  # fmt: skip
        forget: list[tuple[CachedKind, ObjectId | str]] = [(CachedKind.CANDIDATES, candidate_id)]
        return Outcome(ids={"candidate": str(candidate_id)}, forget=forget)

    data = {"candidateId": str(candidate_id), "choice": choice.value}
    outcome = await run_mutation(
        context, "setCandidateAutomatedRanking", data, record, client_mutation_id
    )
    if not outcome.errors:
        forget_vector_here(context, candidate_id, choice)
    return outcome


async def choose_by_link(context: Context, token: str, choice: AutomatedRanking) -> Outcome:
    """The person behind a ranking link opts out or back in (as often as they like)."""

    async def record(session: AsyncClientSession) -> Outcome:
        settings = context.settings
        candidate = await candidate_for_token(settings, token, LinkPurpose.RANKING, session)
        ensure_link_actor(context, candidate)
        changed = await apply_automated_ranking(session, candidate, choice)
        await audit(context, session, "setCandidateAutomatedRanking",
                    {"candidate": candidate.id}, changed)  # fmt: skip
        return candidate_outcome(candidate)

    data = {"candidate": context.viewer.sub, "choice": choice.value}
    outcome = await run_mutation(context, "setCandidateAutomatedRanking", data, record)
    candidate_id = outcome.object_id("candidate")
    if not outcome.errors and candidate_id is not None:
        forget_vector_here(context, candidate_id, choice)
    return outcome
