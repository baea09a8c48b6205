"""The events of an erasure: one for the person, and one for each submission scrubbed with them.

Companies hold copies of the submissions they received (and of the candidate as seen through
them); an event naming each submission's company tells every such holder to refresh or drop its
copy, which an event naming only the candidate and their recruiter would not reach.
"""

from __future__ import annotations

from collections.abc import Sequence

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.events.outbox import record_event
from crowdhire.events.subjects import candidate_subjects
from crowdhire.models import Candidate, Submission
from crowdhire.models.events import EventType


async def record_erasure(
    session: AsyncClientSession,
    actor_sub: str,
    candidate: Candidate,
    submission_ids: Sequence[ObjectId],
    changed_fields: Sequence[str],
) -> None:
    """CANDIDATE_ERASED for the person, then one per scrubbed submission naming its company."""
    person = candidate_subjects(candidate)
    await record_event(session, EventType.CANDIDATE_ERASED, actor_sub, person, changed_fields)
    collection = Submission.get_pymongo_collection()
    found = collection.find(
        {"_id": {"$in": list(submission_ids)}}, {"job_id": 1, "company_id": 1}, session=session
    ).sort("_id", 1)
    async for row in found:
        subjects = {**person, "submission": row["_id"], "job": row["job_id"],
                    "company": row["company_id"]}  # fmt: skip
        await record_event(session, EventType.CANDIDATE_ERASED, actor_sub, subjects, changed_fields)
