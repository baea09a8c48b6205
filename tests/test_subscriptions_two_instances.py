"""Two app instances on one replica set: a mutation over HTTP on A reaches a socket on B."""

from __future__ import annotations

import asyncio

import httpx

from crowdhire.settings import Settings
from tests.auth_support import Issuer
from tests.events_support import mutate
from tests.permissions_support import build_world, token_of
from tests.subscription_support import GraphQLSocket, serve
from tests.support import global_id

PIPELINE = """
subscription Pipeline($jobId: ID!) {
  pipelineEvents(jobId: $jobId) { type changedFields submission { stage } }
}"""
MINE = "subscription { mySubmissionEvents { type actor submission { stage } } }"


async def test_a_move_on_instance_a_reaches_subscribers_on_instance_b(
    settings: Settings, issuer: Issuer
) -> None:
    async with serve(settings) as (_, url_a), serve(settings, drop=False) as (_, url_b):
        world = await build_world()
        sam, acme = token_of(issuer, "sam"), token_of(issuer, "acme")
        assert sam is not None and acme is not None
        async with (
            GraphQLSocket.signed_in(url_b, acme) as company,
            GraphQLSocket.signed_in(url_b, sam) as recruiter,
            httpx.AsyncClient(base_url=url_a, timeout=30) as instance_a,
        ):
            await company.subscribe("p", PIPELINE, {"jobId": global_id("Job", world.open_job)})
            await recruiter.subscribe("m", MINE)
            await asyncio.sleep(0.3)
            move = {"id": global_id("Submission", world.sam_submission), "stage": "SCREENING"}
            assert await mutate(instance_a, "moveSubmission", move, acme) == []

            pipeline = (await company.next_data("p"))["pipelineEvents"]
            mine = (await recruiter.next_data("m"))["mySubmissionEvents"]
    assert pipeline == {
        "type": "SUBMISSION_MOVED",
        "changedFields": ["history", "stage"],
        "submission": {"stage": "SCREENING"},  # read when sent, after the commit
    }
    assert mine == {
        "type": "SUBMISSION_MOVED",
        "actor": "auth0|acme-owner",
        "submission": {"stage": "SCREENING"},
    }
