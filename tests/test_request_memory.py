"""What a request loaded is freed when its answer is complete, without a garbage collection."""

from __future__ import annotations

import asyncio
import gc

import httpx

from crowdhire.footprints import (
    Footprint,
    begin_footprint,
    current_footprint,
    end_footprint,
    note_write,
    take_unannounced,
)
from crowdhire.models import Candidate, Job, Recruiter, Submission
from crowdhire.tags.reads import unanalysed_tag
from tests.factories import make_jobs_page_graph
from tests.support import gql

PAGE = """{ jobs(first: 10) { nodes { id title company { name } submissions(first: 5) {
  nodes { id stage candidate { fullName } recruiter { displayName } } } } } }"""


async def test_the_documents_of_an_answered_request_are_freed_at_once(
    client: httpx.AsyncClient,
) -> None:
    await make_jobs_page_graph(3, 2)
    gc.collect()
    gc.disable()  # what a cycle keeps stays until a collection: here, until the end
    try:
        # in a task of its own, as uvicorn runs each request: what the request keeps in
        # context variables (its footprint) ends with it
        body = await asyncio.create_task(gql(client, PAGE))
        shown = [s for job in body["data"]["jobs"]["nodes"] for s in job["submissions"]["nodes"]]
        assert len(shown) == 6 and all(s["candidate"]["fullName"] for s in shown)
        kept = [
            o for o in gc.get_objects() if isinstance(o, Job | Submission | Candidate | Recruiter)
        ]
    finally:
        gc.enable()
    # loaders hold their own bound batch functions and graphql-core's executor its own
    # methods: without releasing the loaders, the whole page would wait for the collector
    assert kept == []


async def test_a_write_after_the_request_ended_is_still_announced() -> None:
    # a task the request started runs in a copy of its context: its writes must not land in
    # the answered request's footprint, which nobody announces any more
    database = "crowdhire_memory_test"
    footprint, token = begin_footprint()
    go = asyncio.Event()

    async def left_behind() -> Footprint | None:
        await go.wait()
        note_write(database, "jobs")
        return current_footprint()

    task = asyncio.create_task(left_behind())
    end_footprint(footprint, token)
    take_unannounced(database)
    go.set()
    assert await task is None
    assert take_unannounced(database) == {unanalysed_tag("jobs")}
    assert footprint.written == set()
