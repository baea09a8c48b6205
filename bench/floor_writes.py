"""The floor's crowd writes by hand: the four mutations of the write mixes, same effects.

Each one verifies the token and reads the caller's roles as the pages do, checks what crowdhire
checks (ownership, membership, consent, the job open, the stage transition allowed), then writes
what crowdhire writes in one transaction: the change, the job's revision bump where crowdhire
claims the job, an audit event, and for a candidate edit the embedding task. The answer has the
payload the benchmark's mutation documents select. A refused write answers a user error, which
the benchmark counts as a failure, as it does for crowdhire.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from jose import jwt
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from bench.floor import Db, Doc, stage_name
from bench.floor_crowd import global_id_parts, viewer
from bench.scenarios import global_id
from crowdhire.models.submissions import Stage
from crowdhire.resolvers.submissions import COMPANY_MOVES

Write = Callable[[Db, Doc, str | None], Awaitable[Doc]]


def _id(value: str) -> ObjectId:
    return ObjectId(global_id_parts(value)[2])


def _refused(name: str, code: str) -> Doc:
    return {name: {"userErrors": [{"code": code}]}}


def _audit(sub: str, action: str, targets: dict[str, ObjectId], changed: list[str]) -> Doc:
    ids = {name: str(value) for name, value in targets.items()}
    return {"actor_sub": sub, "action": action, "targets": ids,
            "target_ids": sorted(set(ids.values())), "changed_fields": sorted(changed),
            "model_version": None, "returned_ids": [], "at": datetime.now(UTC)}  # fmt: skip


async def _in_transaction(db: Db, body: Callable[[AsyncClientSession], Awaitable[Doc]]) -> Doc:
    async with db.client.start_session() as session:
        result: Doc = await session.with_transaction(body)
        return result


def _sub(authorization: str | None) -> str:
    # `viewer` verified the token already; this reads its subject again
    claims: dict[str, Any] = jwt.get_unverified_claims((authorization or "").split(" ")[-1])
    return str(claims["sub"])


async def submit_candidate(db: Db, variables: Doc, authorization: str | None) -> Doc:
    """A recruiter submits one of their consenting candidates to an open job."""
    recruiter_id, _ = await viewer(db, authorization)
    given = variables["input"]
    job_id, candidate_id, sub = _id(given["jobId"]), _id(given["candidateId"]), _sub(authorization)

    async def body(session: AsyncClientSession) -> Doc:
        job = await db["jobs"].find_one_and_update(
            {"_id": job_id}, {"$inc": {"revision": 1}}, session=session,
            return_document=ReturnDocument.AFTER)  # fmt: skip
        candidate = await db["candidates"].find_one({"_id": candidate_id}, session=session)
        if job is None or job["status"] != "open" or recruiter_id is None:
            return _refused("submitCandidate", "JOB_NOT_OPEN")
        if candidate is None or candidate["recruiter_id"] != recruiter_id:
            return _refused("submitCandidate", "CANDIDATE_NOT_FOUND")
        if candidate.get("consent", {}).get("status") != "granted":
            return _refused("submitCandidate", "CONSENT_REQUIRED")
        now = datetime.now(UTC)
        keys = [k for k in (candidate.get("email_normalized"), candidate.get("phone_normalized"))
                if k]  # fmt: skip
        history = [{"from_stage": None, "to_stage": "submitted", "at": now, "actor": sub,
                    "note": ""}]  # fmt: skip
        document = {"job_id": job_id, "candidate_id": candidate_id, "recruiter_id": recruiter_id,
                    "company_id": job["company_id"], "stage": "submitted", "reject_reason": None,
                    "pitch": given.get("pitch", "").strip(), "person_keys": keys,
                    "history": history, "created_at": now, "updated_at": now}  # fmt: skip
        inserted = await db["submissions"].insert_one(document, session=session)
        targets = {"submission": inserted.inserted_id, "job": job_id, "candidate": candidate_id}
        event = _audit(sub, "submitCandidate", targets, ["stage", "pitch", "history"])
        await db["audit_events"].insert_one(event, session=session)
        shown = {"id": global_id("Submission", inserted.inserted_id), "stage": "SUBMITTED"}
        return {"submitCandidate": {"submission": shown, "userErrors": []}}

    return await _in_transaction(db, body)


async def move_submission(db: Db, variables: Doc, authorization: str | None) -> Doc:
    """A member of the job's company moves a submission along an allowed transition."""
    _, companies = await viewer(db, authorization)
    given = variables["input"]
    submission_id, target, sub = _id(given["id"]), Stage[given["stage"]], _sub(authorization)

    async def body(session: AsyncClientSession) -> Doc:
        found = await db["submissions"].find_one({"_id": submission_id}, session=session)
        if found is None or found["company_id"] not in companies:
            return _refused("moveSubmission", "NOT_FOUND")
        current = Stage(found["stage"])
        if target not in COMPANY_MOVES.get(current, frozenset()):
            return _refused("moveSubmission", "ILLEGAL_TRANSITION")
        now = datetime.now(UTC)
        change = {"from_stage": current.value, "to_stage": target.value, "at": now, "actor": sub,
                  "note": given.get("note", "").strip()}  # fmt: skip
        await db["submissions"].update_one(
            {"_id": submission_id},
            {"$set": {"stage": target.value, "updated_at": now, "reject_reason": None},
             "$push": {"history": change}}, session=session)  # fmt: skip
        event = _audit(sub, "moveSubmission", {"submission": submission_id}, ["stage", "history"])
        await db["audit_events"].insert_one(event, session=session)
        shown = {"id": given["id"], "stage": stage_name(target.value)}
        return {"moveSubmission": {"submission": shown, "userErrors": []}}

    return await _in_transaction(db, body)


async def update_candidate(db: Db, variables: Doc, authorization: str | None) -> Doc:
    """The owning recruiter changes a candidate's headline (and queues its new embedding)."""
    recruiter_id, _ = await viewer(db, authorization)
    given = variables["input"]
    candidate_id, sub = _id(given["candidateId"]), _sub(authorization)

    async def body(session: AsyncClientSession) -> Doc:
        found = await db["candidates"].find_one({"_id": candidate_id}, session=session)
        if found is None or found["recruiter_id"] != recruiter_id or found.get("erased_at"):
            return _refused("updateCandidate", "FORBIDDEN")
        now, headline = datetime.now(UTC), " ".join(given["headline"].split())
        await db["candidates"].update_one(
            {"_id": candidate_id}, {"$set": {"headline": headline, "updated_at": now}},
            session=session)  # fmt: skip
        key = f"matching.embed:candidate:{candidate_id}"
        task = {"kind": "matching.embed", "payload": {"kind": "candidate", "id": str(candidate_id)},
                "dedupe_key": key, "status": "pending", "attempts": 0, "max_attempts": 8,
                "run_after": now, "created_at": now}  # fmt: skip
        await db["background_tasks"].update_one(
            {"dedupe_key": key, "status": "pending"}, {"$setOnInsert": task}, upsert=True,
            session=session)  # fmt: skip
        event = _audit(sub, "updateCandidate", {"candidate": candidate_id}, ["headline"])
        await db["audit_events"].insert_one(event, session=session)
        shown = {"id": given["candidateId"], "headline": headline}
        return {"updateCandidate": {"candidate": shown, "userErrors": []}}

    return await _in_transaction(db, body)


async def update_recruiter_profile(db: Db, variables: Doc, authorization: str | None) -> Doc:
    """The signed-in recruiter changes their bio."""
    await viewer(db, authorization)
    bio, sub = variables["input"]["bio"], _sub(authorization)

    async def body(session: AsyncClientSession) -> Doc:
        found = await db["recruiters"].find_one_and_update(
            {"sub": sub}, {"$set": {"bio": bio}}, session=session,
            return_document=ReturnDocument.AFTER)  # fmt: skip
        if found is None:
            return _refused("updateRecruiterProfile", "FORBIDDEN")
        event = _audit(sub, "updateRecruiterProfile", {"recruiter": found["_id"]}, ["bio"])
        await db["audit_events"].insert_one(event, session=session)
        shown = {"id": global_id("Recruiter", found["_id"]), "bio": bio}
        return {"updateRecruiterProfile": {"recruiter": shown, "userErrors": []}}

    return await _in_transaction(db, body)


CROWD_WRITES: dict[str, Write] = {
    "SubmitCandidate": submit_candidate,
    "MoveSubmission": move_submission,
    "UpdateCandidate": update_candidate,
    "UpdateRecruiterProfile": update_recruiter_profile,
}
