"""Ready-to-serve answers: repeated queries skip MongoDB, and never outlive what they show."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.applications import Starlette

from crowdhire.cache import ObjectCache
from crowdhire.dev.servers import MemcachedServer
from crowdhire.footprints import announce_writes, joined_collections, note_write
from crowdhire.models import Company, Job
from crowdhire.models.jobs import JobStatus
from crowdhire.tags.versions import generation_key
from tests.auth_support import Issuer
from tests.factories import make_candidate, make_company, make_job, make_recruiter, make_submission
from tests.job_support import HR, OTHER_HR, make_hiring_company
from tests.support import CommandCounter, error_codes, global_id, gql

JOBS = "{ jobs(first: 5) { nodes { id title submissions(first: 5) { nodes { stage } } } } }"
DRAFT = "query($id: ID!) { node(id: $id) { ... on Job { title } } }"
RENAME = """mutation($input: UpdateJobInput!) {
  updateJob(input: $input) { job { title } userErrors { code } } }"""
ADD_MEMBER = """mutation($input: AddCompanyMemberInput!) {
  addCompanyMember(input: $input) { userErrors { code } } }"""


async def _job_with_submission() -> tuple[Company, Job]:
    company = await make_company()
    job = await make_job(company, title="Platform engineer")
    recruiter = await make_recruiter()
    await make_submission(job, await make_candidate(recruiter))
    return company, job


async def test_a_repeated_query_is_answered_without_mongodb(
    client: httpx.AsyncClient, mongo_commands: CommandCounter
) -> None:
    await _job_with_submission()
    first = await client.post("/graphql", json={"query": JOBS})
    mongo_commands.reset()
    second = await client.post("/graphql", json={"query": JOBS})
    assert mongo_commands.count == 0
    assert second.json()["data"] == first.json()["data"]
    assert second.json()["data"]["jobs"]["nodes"][0]["title"] == "Platform engineer"
    # cached answers are charged against the budget like executed ones
    first_cost, second_cost = (
        first.json()["extensions"]["cost"],
        second.json()["extensions"]["cost"],
    )
    assert second_cost["requested"] == first_cost["requested"] > 0
    assert second_cost["remaining"] < first_cost["remaining"]


async def test_a_mutation_through_the_api_is_seen_by_the_next_read(
    client: httpx.AsyncClient,
) -> None:
    _, job = await _job_with_submission()
    before = await gql(client, JOBS)
    assert before["data"]["jobs"]["nodes"][0]["title"] == "Platform engineer"
    renamed = await gql(client, RENAME, {"input": {"jobId": global_id("Job", job), "title": "SRE"}})
    assert renamed["data"]["updateJob"]["userErrors"] == []
    after = await gql(client, JOBS)
    assert after["data"]["jobs"]["nodes"][0]["title"] == "SRE"


async def test_writes_outside_a_request_are_seen_by_the_next_read(
    client: httpx.AsyncClient,
) -> None:
    _, job = await _job_with_submission()
    await gql(client, JOBS)
    job.title = "Data engineer"
    await job.save()  # through the app's MongoDB client, but in no request
    after = await gql(client, JOBS)
    assert after["data"]["jobs"]["nodes"][0]["title"] == "Data engineer"


async def test_a_nested_collection_change_invalidates_the_answer(
    client: httpx.AsyncClient,
) -> None:
    _, job = await _job_with_submission()
    before = await gql(client, JOBS)
    assert len(before["data"]["jobs"]["nodes"][0]["submissions"]["nodes"]) == 1
    recruiter = await make_recruiter()
    await make_submission(job, await make_candidate(recruiter))
    after = await gql(client, JOBS)
    assert len(after["data"]["jobs"]["nodes"][0]["submissions"]["nodes"]) == 2


async def test_an_evicted_generation_makes_entries_stale(
    client: httpx.AsyncClient,
    cache: ObjectCache,
    mongo_commands: CommandCounter,
) -> None:
    await _job_with_submission()
    await gql(client, JOBS)
    await cache.delete_many([generation_key("jobs")])
    mongo_commands.reset()
    await gql(client, JOBS)
    assert mongo_commands.count > 0  # executed again: the old token is gone for good
    mongo_commands.reset()
    await gql(client, JOBS)
    assert mongo_commands.count == 0


async def test_each_viewer_gets_its_own_answer(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient, issuer: Issuer
) -> None:
    hiring = await make_hiring_company()
    draft = await make_job(hiring, title="Stealth role", status=JobStatus.DRAFT)
    job_id = global_id("Job", draft)
    member = (await gql(anonymous_client, DRAFT, variables={"id": job_id}, as_=issuer.token(HR)))[
        "data"
    ]
    assert member["node"] == {"title": "Stealth role"}
    assert (
        (
            (
                await gql(
                    anonymous_client, DRAFT, variables={"id": job_id}, as_=issuer.token(OTHER_HR)
                )
            )["data"]
        )["node"]
        is None
    )
    assert (await gql(anonymous_client, DRAFT, variables={"id": job_id}))["data"]["node"] is None
    # a role change shows at once for the same viewer and the same document
    added = await gql(
        client, ADD_MEMBER, {"input": {"companyId": global_id("Company", hiring), "sub": OTHER_HR}}
    )
    assert added["data"]["addCompanyMember"]["userErrors"] == []
    now_member = (
        await gql(anonymous_client, DRAFT, variables={"id": job_id}, as_=issuer.token(OTHER_HR))
    )["data"]
    assert now_member["node"] == {"title": "Stealth role"}


async def test_mutations_are_never_answered_from_the_cache(client: httpx.AsyncClient) -> None:
    _, job = await _job_with_submission()
    rename = {"input": {"jobId": global_id("Job", job), "title": "SRE"}}
    await gql(client, RENAME, rename)
    stored = await Job.get(job.id)
    assert stored is not None
    stored.title = "Renamed elsewhere"
    await stored.save()
    again = await gql(client, RENAME, rename)
    assert again["data"]["updateJob"]["job"] == {"title": "SRE"}
    final = await Job.get(job.id)
    assert final is not None
    assert final.title == "SRE"


async def test_answers_with_errors_are_not_stored(anonymous_client: httpx.AsyncClient) -> None:
    await _job_with_submission()
    query = "{ jobs(first: 1) { nodes { title feeTerms { percent } } } }"
    first = await gql(anonymous_client, query, expect_errors=True)
    assert error_codes(first) == ["FORBIDDEN"]
    second = await gql(anonymous_client, query, expect_errors=True)
    assert second["errors"] == first["errors"]  # executed again, not replayed without them


async def test_switched_off_every_query_executes(
    app_factory: Any, issuer: Issuer, mongo_commands: CommandCounter
) -> None:
    app: Starlette
    async with app_factory(response_cache_enabled=False) as (app, http):
        await _job_with_submission()
        headers = {"Authorization": f"Bearer {issuer.admin_token()}"}
        await http.post("/graphql", json={"query": JOBS}, headers=headers)
        mongo_commands.reset()
        await http.post("/graphql", json={"query": JOBS}, headers=headers)
        assert mongo_commands.count > 0
        assert app.state.services.settings.response_cache_enabled is False


async def test_a_write_during_a_cache_outage_is_announced_before_the_next_lookup(
    app_factory: Any, issuer: Issuer, memcached_server: MemcachedServer
) -> None:
    overrides = {"memcached_url": memcached_server.address, "cache_timeout_ms": 50}
    async with app_factory(**overrides) as (_, http):
        http.headers["Authorization"] = f"Bearer {issuer.admin_token()}"
        _, job = await _job_with_submission()
        await gql(http, JOBS)  # stored, with the tokens of jobs, submissions…
        memcached_server.pause()  # the rename's new tokens cannot be stored
        try:
            rename = {"input": {"jobId": global_id("Job", job), "title": "SRE"}}
            assert (await gql(http, RENAME, rename))["data"]["updateJob"]["userErrors"] == []
        finally:
            memcached_server.resume()
        await asyncio.sleep(0.3)  # past CACHE_RETRY_SECONDS: memcached is used again
        after = await gql(http, JOBS)
    assert after["data"]["jobs"]["nodes"][0]["title"] == "SRE"


def test_pipelines_that_join_other_collections_depend_on_them() -> None:
    pipeline = [
        {"$match": {"stage": "hired"}},
        {"$lookup": {"from": "jobs", "localField": "job_id", "foreignField": "_id", "as": "j"}},
        {"$unionWith": {"coll": "placements", "pipeline": [{"$lookup": {"from": "companies"}}]}},
        {"$unionWith": "recruiters"},
    ]
    assert joined_collections(pipeline) == {"jobs", "placements", "companies", "recruiters"}
    assert joined_collections([{"$match": {}}]) == set()


async def test_identical_concurrent_queries_execute_once(
    app_factory: Any, issuer: Issuer, mongo_commands: CommandCounter
) -> None:
    # memcached calls get time on a loaded machine: a timed-out lookup is a miss, not a waiter
    async with app_factory(cache_timeout_ms=1000) as (_, client):
        client.headers["Authorization"] = f"Bearer {issuer.admin_token()}"
        await _job_with_submission()
        await gql(client, "{ jobs(first: 1) { nodes { id } } }")  # roles and tokens in place
        mongo_commands.reset()
        bodies = await asyncio.gather(*(gql(client, JOBS) for _ in range(5)))
    assert all(body["data"] == bodies[0]["data"] for body in bodies)
    assert bodies[0]["data"]["jobs"]["nodes"][0]["title"] == "Platform engineer"
    # one submissions $topN aggregation: the other four waited for the first answer
    assert mongo_commands.names.count("aggregate") == 1, mongo_commands.names


async def test_identical_queries_execute_once_while_the_cache_is_unreachable(
    app_factory: Any,
    issuer: Issuer,
    memcached_server: MemcachedServer,
    mongo_commands: CommandCounter,
) -> None:
    counter = mongo_commands
    overrides = {"memcached_url": memcached_server.address, "cache_timeout_ms": 50}
    async with app_factory(**overrides) as (_, http):
        http.headers["Authorization"] = f"Bearer {issuer.admin_token()}"
        await _job_with_submission()
        await gql(http, "{ jobs(first: 1) { nodes { id } } }")  # roles and tokens in place
        counter.reset()
        memcached_server.pause()
        try:
            bodies = await asyncio.gather(*(gql(http, JOBS) for _ in range(5)))
        finally:
            memcached_server.resume()
    assert all(body["data"] == bodies[0]["data"] for body in bodies)
    assert counter.names.count("aggregate") == 1, counter.names


async def test_variables_json_cannot_hold_exactly_get_the_typed_error(
    client: httpx.AsyncClient,
) -> None:
    query = "query($first: Int) { jobs(first: $first) { nodes { id } } }"
    response = await client.post(
        "/graphql",
        content=b'{"query": "'
        + query.encode()
        + b'", "variables": {"first": 123456789012345678901234567890}}',
        headers={"content-type": "application/json"},
    )
    body = response.json()
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"], body
    assert "first" in body["errors"][0]["message"]


async def test_writes_outside_requests_are_announced_to_their_own_database(
    cache: ObjectCache,
) -> None:
    key = generation_key("jobs")
    await cache.set_many({key: b"before"})
    note_write("some_other_database", "jobs")  # e.g. a script's client in this process
    assert await announce_writes(cache, "this_database", None)
    assert await cache.get_many([key]) == [b"before"]  # not this database's write
    note_write("this_database", "jobs")
    assert await announce_writes(cache, "this_database", None)
    (after,) = await cache.get_many([key])
    assert after not in (None, b"before")
    assert await announce_writes(cache, "some_other_database", None)  # leaves nothing behind
