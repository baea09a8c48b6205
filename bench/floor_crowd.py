"""The floor's crowd pages: the recruiter, company and public pages by hand, same visibility.

Each request verifies its bearer token (RS256 with the dev key, as crowdhire does), reads the
viewer's roles from MongoDB, then runs the fewest queries for the page: a recruiter sees their
own submissions only (and their own candidates), a company member every submission to the
company's jobs (drafts included) and the candidates submitted to it, anonymous visitors open
jobs without fee terms or pipelines.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bson import ObjectId
from jose import jwt

from bench.floor import NEWEST_FIRST, Db, Doc, by_ids, company_json, stage_name
from bench.scenarios import global_id
from crowdhire.auth.dev import DEV_AUDIENCE, DEV_ISSUER, dev_public_jwk
from crowdhire.models.jobs import JobStatus
from crowdhire.settings import Environment, Settings

_KEY: dict[str, Any] = {}


def _public_key() -> dict[str, Any]:
    if not _KEY:
        data_dir = Path(os.environ.get("DATA_DIR", ".data"))
        _KEY.update(dev_public_jwk(Settings(crowdhire_env=Environment.DEV, data_dir=data_dir)))
    return _KEY


async def viewer(db: Db, authorization: str | None) -> tuple[ObjectId | None, set[ObjectId]]:
    """The viewer's recruiter id and company ids (None and empty for anonymous)."""
    if not authorization:
        return None, set()
    token = authorization.removeprefix("Bearer ")
    claims = jwt.decode(
        token, _public_key(), algorithms=["RS256"], audience=DEV_AUDIENCE, issuer=DEV_ISSUER
    )
    sub = claims["sub"]
    recruiter, memberships = await asyncio.gather(
        db["recruiters"].find_one({"sub": sub}, {"_id": 1}),
        db["company_members"].find({"sub": sub}, {"company_id": 1}).to_list(None),
    )
    return (recruiter or {}).get("_id"), {m["company_id"] for m in memberships}


async def newest_children(
    db: Db, parents: list[ObjectId], n: int, extra: Doc, fields: Doc
) -> dict[Any, list[Doc]]:
    """The newest `n` submissions of each job matching `extra`, one `$topN` aggregation."""
    output = {name: f"${name}" for name in fields}
    pipeline: list[Doc] = [
        {"$match": {"job_id": {"$in": parents}, **extra}},
        {
            "$group": {
                "_id": "$job_id",
                "docs": {"$topN": {"n": n, "sortBy": dict(NEWEST_FIRST), "output": output}},
            }
        },
    ]
    cursor = await db["submissions"].aggregate(pipeline, batchSize=len(parents) + 1)
    return {row["_id"]: row["docs"] async for row in cursor}


async def pipelines(db: Db, jobs: list[Doc], n: int, extra: Doc, sees: Any) -> dict[Any, list[Doc]]:
    """Each job's newest submissions as the schema shows them; `sees(candidate)` decides."""
    fields = {"_id": 1, "stage": 1, "candidate_id": 1, "recruiter_id": 1, "created_at": 1}
    subs = await newest_children(db, [j["_id"] for j in jobs], n, extra, fields)
    every = [s for page in subs.values() for s in page]
    people, recruiters = await asyncio.gather(
        by_ids(
            db,
            "candidates",
            [s["candidate_id"] for s in every],
            {"full_name": 1, "recruiter_id": 1},
        ),
        by_ids(db, "recruiters", [s["recruiter_id"] for s in every], {"display_name": 1}),
    )

    def shown(sub: Doc) -> Doc:
        person = people.get(sub["candidate_id"])
        recruiter = recruiters.get(sub["recruiter_id"])
        return {
            "id": global_id("Submission", sub["_id"]),
            "stage": stage_name(sub["stage"]),
            "candidate": person
            and sees(person)
            and {"id": global_id("Candidate", person["_id"]), "fullName": person["full_name"]},
            "recruiter": recruiter
            and {
                "id": global_id("Recruiter", recruiter["_id"]),
                "displayName": recruiter["display_name"],
            },
        }

    return {job: [shown(s) for s in page] for job, page in subs.items()}


async def recruiter_page(db: Db, variables: Doc, authorization: str | None) -> Doc:
    """Open jobs with company, fee terms and the viewer's own newest five submissions."""
    recruiter_id, _ = await viewer(db, authorization)
    fields = {"title": 1, "location": 1, "company_id": 1, "fee_terms": 1}
    jobs = await db["jobs"].find({"status": "open"}, fields, sort=NEWEST_FIRST, limit=20).to_list()
    companies = by_ids(db, "companies", [j["company_id"] for j in jobs], {"name": 1})
    own = pipelines(
        db,
        jobs,
        5,
        {"recruiter_id": recruiter_id},
        lambda person: person["recruiter_id"] == recruiter_id,
    )
    found, pages = await asyncio.gather(companies, own)

    def fee_terms(job: Doc) -> Doc:
        terms = job["fee_terms"]
        return {
            "percent": terms.get("percent"),
            "currency": terms["currency"],
            "guaranteeDays": terms.get("guarantee_days", 90),
        }

    nodes = [
        {
            "id": global_id("Job", job["_id"]),
            "title": job["title"],
            "location": job["location"],
            "company": company_json(found.get(job["company_id"])),
            "feeTerms": fee_terms(job),
            "submissions": {"nodes": pages.get(job["_id"], [])},
        }
        for job in jobs
    ]
    return {"jobs": {"nodes": nodes}}


async def company_pipeline(db: Db, variables: Doc, authorization: str | None) -> Doc:
    """A company's newest ten jobs (any status, for its members) and their newest submissions."""
    _, company_ids = await viewer(db, authorization)
    raw = variables["id"]
    _, _, hex_id = global_id_parts(raw)
    company = await db["companies"].find_one({"_id": ObjectId(hex_id)}, {"name": 1})
    if company is None or company["_id"] not in company_ids:
        raise PermissionError("the floor serves the pipeline to the company's members only")
    fields = {"title": 1, "status": 1}
    jobs = (
        await db["jobs"]
        .find({"company_id": company["_id"]}, fields, sort=NEWEST_FIRST, limit=10)
        .to_list()
    )
    pages = await pipelines(db, jobs, 10, {}, lambda person: True)  # submitted to the company
    nodes = [
        {
            "id": global_id("Job", job["_id"]),
            "title": job["title"],
            "status": JobStatus(job["status"]).name,
            "submissions": {"nodes": pages.get(job["_id"], [])},
        }
        for job in jobs
    ]
    shown = {"id": global_id("Company", company["_id"]), "name": company["name"]}
    return {"node": {**shown, "jobs": {"nodes": nodes}}}


async def public_jobs(db: Db, variables: Doc, authorization: str | None) -> Doc:
    """Open jobs for anyone: title, location, company and salary range."""
    fields = {"title": 1, "location": 1, "company_id": 1, "salary": 1}
    jobs = await db["jobs"].find({"status": "open"}, fields, sort=NEWEST_FIRST, limit=20).to_list()
    found = await by_ids(db, "companies", [j["company_id"] for j in jobs], {"name": 1})
    nodes = [
        {
            "id": global_id("Job", job["_id"]),
            "title": job["title"],
            "location": job["location"],
            "company": company_json(found.get(job["company_id"])),
            "salary": job.get("salary")
            and {k: job["salary"][k] for k in ("min", "max", "currency")},
        }
        for job in jobs
    ]
    return {"jobs": {"nodes": nodes}}


def global_id_parts(value: str) -> tuple[str, str, str]:
    """Type name, ':' and hex id of an opaque id."""
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return raw.decode(errors="replace").partition(":")


CROWD_OPERATIONS: dict[str, Callable[[Db, Doc, str | None], Awaitable[Doc]]] = {
    "RecruiterPage": recruiter_page,
    "CompanyPipeline": company_pipeline,
    "PublicJobs": public_jobs,
}
