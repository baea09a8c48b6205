"""A page of jobs loads its jobs' companies and submission windows up front (schema.job_relations).

What a viewer sees must not change: every job on a page answers exactly as the same job read
alone through `node(id:)` (which prefetches nothing), for windows with other arguments, stage
filters, `@skip`, `edges { node }` and viewers who may see some, none or all submissions. And
the executor's work for the page no longer grows with it: no awaitable (and task) per job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx
import pytest

from crowdhire.models import CompanyMember, Recruiter, Submission
from crowdhire.models.submissions import Stage
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_jobs_page_graph
from tests.support import gql

JOB_FIELDS = """
  id
  company { name }
  a: submissions(first: 2) { nodes { id stage candidate { fullName } recruiter { displayName } } }
  b: submissions(first: 3, stage: [SCREENING]) { totalCount nodes { id stage } }
  c: submissions(first: 2) @skip(if: $skip) { nodes { id } }
  d: submissions(last: 2, orderBy: CREATED_AT_DESC) { nodes { id candidate { id } } }
"""
PAGE = f"""query($skip: Boolean!) {{
  jobs(first: 3, filter: {{ status: [OPEN] }}) {{
    nodes {{ {JOB_FIELDS} }}
    edges {{ node {{ id submissions(first: 1) {{ nodes {{ id recruiter {{ id }} }} }} }} }}
  }}
}}"""
ALONE = (
    f"""query($id: ID!, $skip: Boolean!) {{ node(id: $id) {{ ... on Job {{ {JOB_FIELDS} }} }} }}"""
)
EDGE_ALONE = """query($id: ID!) { node(id: $id) { ... on Job {
  id submissions(first: 1) { nodes { id recruiter { id } } } } } }"""


def _errors_under(body: dict[str, Any], prefix: list[Any]) -> list[tuple[str, ...]]:
    """The errors at or below `prefix`, as (the rest of the path…, message)."""
    found = []
    for error in body.get("errors", []):
        path = error.get("path", [])
        if path[: len(prefix)] == prefix:
            found.append((*map(str, path[len(prefix) :]), error["message"]))
    return sorted(found)


@pytest.mark.parametrize("viewer", ["admin", "member", "recruiter", "anonymous"])
async def test_each_job_on_a_page_answers_as_it_does_alone(
    app_factory: AppFactory, issuer: Issuer, viewer: str
) -> None:
    # three jobs: an anonymous page then has fewer refusals than the 20 an answer keeps
    async with app_factory(response_cache_enabled=False) as (_, client):
        jobs = await make_jobs_page_graph(jobs=6, submissions_per_job=5)
        await CompanyMember(company_id=jobs[0].company_id, sub="auth0|member").insert()
        recruiter = await Recruiter.find_one()
        assert recruiter is not None
        tokens = {
            "admin": issuer.admin_token(),
            "member": issuer.token("auth0|member"),
            "recruiter": issuer.token(recruiter.sub),
            "anonymous": None,
        }
        for submission in (await Submission.find_all().to_list())[::2]:
            await submission.set({"stage": Stage.SCREENING.value})
        token = tokens[viewer]
        for skip in (False, True):
            page = await gql(client, PAGE, {"skip": skip}, as_=token, expect_errors=True)
            nodes = page["data"]["jobs"]["nodes"]
            assert len(nodes) == 3
            for index, job in enumerate(nodes):
                variables = {"id": job["id"], "skip": skip}
                alone = await gql(client, ALONE, variables, as_=token, expect_errors=True)
                assert job == alone["data"]["node"]
                assert _errors_under(page, ["jobs", "nodes", index]) == _errors_under(
                    alone, ["node"]
                )
            for index, edge in enumerate(page["data"]["jobs"]["edges"]):
                alone = await gql(
                    client, EDGE_ALONE, {"id": edge["node"]["id"]}, as_=token, expect_errors=True
                )
                assert edge["node"] == alone["data"]["node"]
                assert _errors_under(page, ["jobs", "edges", index, "node"]) == _errors_under(
                    alone, ["node"]
                )
        if viewer == "anonymous":  # the page really shows the refusals it compares
            assert _errors_under(page, ["jobs", "nodes", 0])
        if viewer == "admin":
            shown = {s["stage"] for job in nodes for s in job["b"]["nodes"]}
            assert shown == {"SCREENING"}
            assert all(job["a"]["nodes"] and job["company"] for job in nodes)


_COUNTED: ContextVar[bool] = ContextVar("counted", default=False)


class _TaskCounter:
    """Counts the tasks this request starts, not the app's background loops (the worker, the
    outbox), which run in contexts of their own and may start tasks at any moment."""

    def __init__(self) -> None:
        self.started = 0

    def __call__(
        self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Future[Any]:
        self.started += _COUNTED.get()  # the creating code's context: the request's or not
        return asyncio.Task(coro, loop=loop, **kwargs)

    @contextmanager
    def installed(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        loop.set_task_factory(self)
        token = _COUNTED.set(True)
        try:
            yield
        finally:
            _COUNTED.reset(token)
            loop.set_task_factory(None)


JOBS_PAGE = """query($first: Int!) { jobs(first: $first, filter: { status: [OPEN] }) { nodes {
  title company { name }
  submissions(first: 4) { nodes { stage candidate { fullName } recruiter { displayName } } }
} } }"""


async def _tasks_for(client: httpx.AsyncClient, first: int) -> int:
    counter = _TaskCounter()
    with counter.installed():
        body = await gql(client, JOBS_PAGE, {"first": first})
    nodes = body["data"]["jobs"]["nodes"]
    assert len(nodes) == first and all(len(n["submissions"]["nodes"]) == 4 for n in nodes)
    return counter.started


async def test_the_executor_work_for_a_page_of_jobs_does_not_grow_with_it(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    # Without the prefetch every job's company and submissions were awaitables of their
    # own: graphql-core started about three tasks per job (and two more for its relations).
    async with app_factory(response_cache_enabled=False, cache_enabled=False) as (_, client):
        client.headers["Authorization"] = f"Bearer {issuer.admin_token()}"
        await make_jobs_page_graph(jobs=24, submissions_per_job=4)
        await _tasks_for(client, 4)  # warm: lookups and connections made on first use
        few, many = await _tasks_for(client, 4), await _tasks_for(client, 24)
    assert many == few, (few, many)
