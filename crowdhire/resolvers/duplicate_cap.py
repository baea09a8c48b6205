"""A daily cap on DUPLICATE_CANDIDATE answers, so a recruiter account is no existence oracle.

"Someone already represents this person" tells whoever asks that an email or phone belongs to a
job-seeker. Each recruiter gets DUPLICATE_ANSWERS_PER_DAY such answers per UTC day (fewer while
new: registered less than NEW_RECRUITER_DAYS ago, or without a placement yet). Past the cap,
every candidate write that carries an email or phone is refused with RATE_LIMITED, duplicate or
not (refusing only duplicates would answer the question anyway) until the next UTC day.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from prometheus_client import Counter
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from crowdhire.context import Context
from crowdhire.errors import CrowdhireError
from crowdhire.models.audit import AuditEvent
from crowdhire.models.common import utcnow
from crowdhire.models.duplicate_answers import DuplicateAnswerCount
from crowdhire.models.placements import Placement
from crowdhire.resolvers.transactions import Outcome

DUPLICATE_ANSWERS = Counter(
    "crowdhire_duplicate_candidate_answers_total",
    "DUPLICATE_CANDIDATE answers given (answered) and candidate writes refused by the cap"
    " (refused); capped counts recruiters reaching their cap",
    ["outcome"],
)


class DuplicateAnswersExhaustedError(CrowdhireError):
    """The recruiter's duplicate answers for today are used up."""

    code = "RATE_LIMITED"


def _has_contact(fields: Mapping[str, Any]) -> bool:
    return bool(fields.get("email") or fields.get("phone"))


def _today() -> tuple[str, datetime]:
    now = utcnow()
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    return now.date().isoformat(), midnight


async def _used(recruiter_id: ObjectId, day: str) -> int:
    found = await DuplicateAnswerCount.get_pymongo_collection().find_one(
        {"recruiter_id": recruiter_id, "day": day}, projection={"answers": 1}
    )
    return int(found["answers"]) if found else 0


async def _count_one(recruiter_id: ObjectId, day: str, expires_at: datetime) -> int:
    collection = DuplicateAnswerCount.get_pymongo_collection()
    for _ in range(2):  # two first answers at once: one upsert wins, the other increments
        try:
            doc = await collection.find_one_and_update(
                {"recruiter_id": recruiter_id, "day": day},
                {"$inc": {"answers": 1}, "$setOnInsert": {"expires_at": expires_at}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
            if doc is not None:
                return int(doc["answers"])
        except DuplicateKeyError:
            continue
    raise RuntimeError("duplicate answer count could not be updated")


async def daily_cap(context: Context, recruiter_id: ObjectId) -> int:
    """The recruiter's cap: lower while they are new or have no placement."""
    settings = context.settings
    recruiter = await context.loaders.recruiter_by_id.load(recruiter_id)
    young = recruiter is None or utcnow() - recruiter.created_at < timedelta(
        days=settings.new_recruiter_days
    )
    placed = await Placement.get_pymongo_collection().find_one(
        {"recruiter_id": recruiter_id}, projection={"_id": 1}
    )
    if young or placed is None:
        return min(settings.duplicate_answers_per_day_new, settings.duplicate_answers_per_day)
    return settings.duplicate_answers_per_day


def _exhausted(cap: int, midnight: datetime) -> DuplicateAnswersExhaustedError:
    retry_after = max(1, math.ceil((midnight - utcnow()).total_seconds()))
    DUPLICATE_ANSWERS.labels("refused").inc()
    return DuplicateAnswersExhaustedError(
        f"You reached today's limit of {cap} duplicate-candidate answers; candidates with an"
        f" email or phone can be added again after {midnight.isoformat()}",
        limit=cap,
        retryAfter=retry_after,
        scope="DUPLICATE_CANDIDATE",
    )


async def capped_duplicates(
    context: Context, fields: Mapping[str, Any], write: Callable[[], Awaitable[Outcome]]
) -> Outcome:
    """Run a candidate write under the recruiter's daily cap on duplicate answers."""
    recruiter_id = context.viewer.recruiter_id
    if recruiter_id is None or context.viewer.is_admin or not _has_contact(fields):
        return await write()
    day, midnight = _today()
    used = await _used(recruiter_id, day)
    if used:  # the cap costs a query or two: only worked out once there is something to cap
        cap = await daily_cap(context, recruiter_id)
        if used >= cap:
            raise _exhausted(cap, midnight)
    outcome = await write()
    if not any(error.code == "DUPLICATE_CANDIDATE" for error in outcome.errors):
        return outcome
    count = await _count_one(recruiter_id, day, midnight + timedelta(days=1))
    cap = await daily_cap(context, recruiter_id)
    if count > cap:  # concurrent probes past the cap get no answer either
        raise _exhausted(cap, midnight)
    DUPLICATE_ANSWERS.labels("answered").inc()
    if count == cap:
        DUPLICATE_ANSWERS.labels("capped").inc()
        await _record_cap_reached(context, recruiter_id)
    return outcome


async def _record_cap_reached(context: Context, recruiter_id: ObjectId) -> None:
    # Outside the refused write's transaction (it was rolled back): the event must stay.
    await AuditEvent(
        actor_sub=context.viewer.sub or "anonymous",
        action="duplicateCandidateCapReached",
        targets={"recruiter": str(recruiter_id)},
        target_ids=[str(recruiter_id)],
    ).insert()
