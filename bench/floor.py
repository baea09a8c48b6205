"""Variant F: the floor. Hand-written Starlette + PyMongo + orjson, same JSON as the schema.

No GraphQL at all: the endpoint dispatches on `operationName` and runs the fewest queries
that produce the response (projections, one `$in` per relation, `$topN` for child pages).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import orjson
from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.scenarios import global_id
from crowdhire.models.submissions import Stage

Doc = dict[str, Any]
Db = AsyncDatabase[Doc]
NEWEST_FIRST = [("created_at", -1), ("_id", -1)]


def stage_name(value: str) -> str:
    """The GraphQL enum name of a stored stage value."""
    return Stage(value).name


async def by_ids(db: Db, collection: str, ids: Sequence[ObjectId], fields: Doc) -> dict[Any, Doc]:
    """Documents by id in one `$in` find, keyed by id."""
    unique = list(set(ids))
    if not unique:
        return {}
    cursor = db[collection].find(
        {"_id": {"$in": unique}}, fields, limit=len(unique), batch_size=len(unique)
    )
    return {doc["_id"]: doc async for doc in cursor}


async def top_children(
    db: Db, foreign_key: str, parents: Sequence[ObjectId], n: int, fields: Doc
) -> dict[Any, list[Doc]]:
    """The newest `n` submissions of each parent in one `$group`/`$topN` aggregation."""
    output = {name: f"${name}" for name in fields}
    pipeline: list[Doc] = [
        {"$match": {foreign_key: {"$in": list(parents)}}},
        {
            "$group": {
                "_id": f"${foreign_key}",
                "docs": {"$topN": {"n": n, "sortBy": dict(NEWEST_FIRST), "output": output}},
            }
        },
    ]
    cursor = await db["submissions"].aggregate(pipeline, batchSize=len(parents) + 1)
    return {row["_id"]: row["docs"] async for row in cursor}


def company_json(company: Doc | None) -> Doc | None:
    """A company as the schema shows it."""
    if company is None:
        return None
    return {"id": global_id("Company", company["_id"]), "name": company["name"]}


async def jobs_page(db: Db, variables: Doc) -> Doc:
    """50 open jobs → company → first 10 submissions → candidate and recruiter."""
    fields = {"title": 1, "location": 1, "company_id": 1}
    cursor = db["jobs"].find(
        {"status": {"$in": ["open"]}}, fields, sort=NEWEST_FIRST, limit=variables["first"]
    )
    jobs = await cursor.to_list(None)
    job_ids = [job["_id"] for job in jobs]
    companies = await by_ids(db, "companies", [j["company_id"] for j in jobs], {"name": 1})
    sub_fields = {"_id": 1, "stage": 1, "candidate_id": 1, "recruiter_id": 1}
    subs = await top_children(db, "job_id", job_ids, 10, sub_fields)
    every = [s for page in subs.values() for s in page]
    people = await by_ids(
        db, "candidates", [s["candidate_id"] for s in every], {"full_name": 1, "skills": 1}
    )
    recruiters = await by_ids(
        db, "recruiters", [s["recruiter_id"] for s in every], {"display_name": 1}
    )

    def submission(sub: Doc) -> Doc:
        person = people.get(sub["candidate_id"])
        recruiter = recruiters.get(sub["recruiter_id"])
        return {
            "id": global_id("Submission", sub["_id"]),
            "stage": stage_name(sub["stage"]),
            "candidate": person
            and {
                "id": global_id("Candidate", person["_id"]),
                "fullName": person["full_name"],
                "skills": person["skills"],
            },
            "recruiter": recruiter
            and {
                "id": global_id("Recruiter", recruiter["_id"]),
                "displayName": recruiter["display_name"],
            },
        }

    nodes = [
        {
            "id": global_id("Job", job["_id"]),
            "title": job["title"],
            "location": job["location"],
            "company": company_json(companies.get(job["company_id"])),
            "submissions": {"nodes": [submission(s) for s in subs.get(job["_id"], [])]},
        }
        for job in jobs
    ]
    return {"jobs": {"nodes": nodes}}


async def hot_profile(db: Db, variables: Doc) -> Doc:
    """A candidate by id with its newest 20 submissions and their jobs."""
    raw = variables["id"]
    decoded = _b64(raw)
    type_name, _, hex_id = decoded.partition(":")
    if type_name != "Candidate" or not ObjectId.is_valid(hex_id):
        return {"node": None}
    fields = {"full_name": 1, "headline": 1, "location": 1, "skills": 1, "years_experience": 1}
    person = await db["candidates"].find_one({"_id": ObjectId(hex_id)}, fields)
    if person is None:
        return {"node": None}
    cursor = db["submissions"].find(
        {"candidate_id": person["_id"]},
        {"stage": 1, "created_at": 1, "job_id": 1},
        sort=NEWEST_FIRST,
        limit=20,
    )
    subs = await cursor.to_list(None)
    jobs = await by_ids(db, "jobs", [s["job_id"] for s in subs], {"title": 1})

    def submission(sub: Doc) -> Doc:
        job = jobs.get(sub["job_id"])
        return {
            "id": global_id("Submission", sub["_id"]),
            "stage": stage_name(sub["stage"]),
            "createdAt": sub["created_at"].isoformat(),
            "job": job and {"id": global_id("Job", job["_id"]), "title": job["title"]},
        }

    return {
        "node": {
            "id": global_id("Candidate", person["_id"]),
            "fullName": person["full_name"],
            "headline": person["headline"],
            "location": person["location"],
            "skills": person["skills"],
            "yearsExperience": person["years_experience"],
            "submissions": {"nodes": [submission(s) for s in subs]},
        }
    }


async def search(db: Db, variables: Doc) -> Doc:
    """Jobs matching words and any of some skills, by title, with their company."""
    words = [word.lstrip("-") for word in variables["text"].replace('"', " ").split()]
    match = {
        "skills": {"$in": sorted({s.strip().lower() for s in variables["skills"]})},
        "$text": {"$search": " ".join(w for w in words if w)},
    }
    fields = {"title": 1, "location": 1, "skills": 1, "salary": 1, "company_id": 1}
    cursor = db["jobs"].find(match, fields, sort=[("title", 1), ("_id", 1)], limit=20)
    jobs = await cursor.to_list(None)
    companies = await by_ids(db, "companies", [j["company_id"] for j in jobs], {"name": 1})
    nodes = [
        {
            "id": global_id("Job", job["_id"]),
            "title": job["title"],
            "location": job["location"],
            "skills": job["skills"],
            "salary": job.get("salary")
            and {k: job["salary"][k] for k in ("min", "max", "currency")},
            "company": company_json(companies.get(job["company_id"])),
        }
        for job in jobs
    ]
    return {"jobs": {"nodes": nodes}}


def _b64(value: str) -> str:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode(errors="replace")


OPERATIONS: dict[str, Callable[[Db, Doc], Awaitable[Doc]]] = {
    "JobsPage": jobs_page,
    "HotProfile": hot_profile,
    "Search": search,
}


AuthorizedOperation = Callable[[Db, Doc, str | None], Awaitable[Doc]]
"""A page that depends on who asks: gets the Authorization header too."""


def create_floor_app(
    uri: str,
    db_name: str,
    listeners: Sequence[CommandListener] = (),
    authorized: Mapping[str, AuthorizedOperation] | None = None,
) -> Starlette:
    """The floor's ASGI app: one POST /graphql route that knows the scenarios by name."""
    state: dict[str, Db] = {}

    async def graphql(request: Request) -> Response:
        payload = orjson.loads(await request.body())
        name, variables = payload.get("operationName"), payload.get("variables") or {}
        page = (authorized or {}).get(name)
        if page is not None:
            data = await page(state["db"], variables, request.headers.get("authorization"))
            return Response(orjson.dumps({"data": data}), media_type="application/json")
        handler = OPERATIONS.get(name)
        if handler is None:
            return Response(b'{"errors":[{"message":"unknown operation"}]}', 400)
        data = await handler(state["db"], variables)
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        client: AsyncMongoClient[Doc] = AsyncMongoClient(
            uri, tz_aware=True, event_listeners=list(listeners)
        )
        state["db"] = client[db_name]
        try:
            yield
        finally:
            await client.close()

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])], lifespan=lifespan)
