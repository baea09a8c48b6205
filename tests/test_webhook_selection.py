"""Webhook selections: what a receiver asks for arrives in its signed body after a real
mutation, run with the endpoint owner's access; a bad selection is refused and nothing kept."""

from __future__ import annotations

from typing import Any

import httpx

from crowdhire.client import verify_webhook
from crowdhire.models.events import EventType
from crowdhire.models.webhooks import WebhookEndpoint
from crowdhire.server import Services
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.events_support import mutate
from tests.permissions_support import build_world, token_of
from tests.support import global_id, gql
from tests.webhook_support import Receiver, running_receiver, write_event

FAST = {"webhook_allow_loopback": True, "webhook_retry_base_seconds": 0.0}
CREATE = """mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    secret webhookEndpoint { id selection } userErrors { field code message } } }"""
UPDATE = """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
  webhookEndpoint { selection } userErrors { field code message } } }"""


async def deliver_all(services: Services) -> None:
    """Fan out and run every runnable attempt, as the worker and the loop would."""
    while await services.webhooks.dispatch() or await services.worker.drain():
        pass


async def create(http: httpx.AsyncClient, token: str | None, **fields: Any) -> dict[str, Any]:
    """The createWebhookEndpoint payload."""
    body = await gql(http, CREATE, {"input": fields}, as_=token)
    payload: dict[str, Any] = body["data"]["createWebhookEndpoint"]
    return payload


async def moved_body(
    http: httpx.AsyncClient, issuer: Issuer, services: Services, selection: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register an Acme endpoint with `selection`, move Sam's submission to SCREENING with the
    real mutation, and return the creation payload and the verified body received."""
    world = await build_world()
    owner = token_of(issuer, "acme")
    async with running_receiver(Receiver()) as receiver:
        created = await create(
            http, owner, companyId=global_id("Company", world.acme), url=receiver.url,
            eventTypes=["SUBMISSION_MOVED"], selection=selection,
        )  # fmt: skip
        assert created["userErrors"] == []
        move = {"id": global_id("Submission", world.sam_submission), "stage": "SCREENING"}
        assert await mutate(http, "moveSubmission", move, owner) == []
        await deliver_all(services)
        (request,) = receiver.received
        return created, verify_webhook(created["secret"], request.headers, request.body)


async def test_a_company_endpoint_receives_the_stage_and_job_title_it_selected(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (app, http):
        created, body = await moved_body(
            http, issuer, app.state.services, "submission { stage job { title } } changedFields"
        )

        assert body["type"] == "submission.moved"
        assert body["data"]["selection"] == {
            "submission": {"stage": "SCREENING", "job": {"title": "Open at Acme"}},
            "changedFields": ["history", "stage"],
        }
        assert "selectionErrors" not in body["data"]
        assert body["data"]["changedFields"] == ["history", "stage"]  # stable keys stay
        assert body["data"]["submissionId"] is not None
        assert "submission" in created["webhookEndpoint"]["selection"]


async def test_a_fragment_or_subscription_wrapped_selection_is_accepted(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (app, http):
        _, body = await moved_body(
            http, issuer, app.state.services,
            "fragment Hook on DomainEvent { type submission { stage } }",
        )  # fmt: skip
        assert body["data"]["selection"] == {
            "type": "SUBMISSION_MOVED",
            "submission": {"stage": "SCREENING"},
        }
        world_owner = token_of(issuer, "acme")
        wrapped = await create(
            http, world_owner, companyId=body["data"]["companyId"],
            url="http://127.0.0.1:9/hooks", eventTypes=["JOB_FILLED"],
            selection="subscription { job { title } }",
        )  # fmt: skip
        assert wrapped["userErrors"] == []


async def test_what_the_owner_may_not_see_comes_out_null_with_the_message_only(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (app, http):
        _, body = await moved_body(
            http, issuer, app.state.services, "submission { stage } recruiter { email }"
        )

        assert body["data"]["selection"]["submission"] == {"stage": "SCREENING"}
        assert body["data"]["selection"]["recruiter"] == {"email": None}
        (error,) = body["data"]["selectionErrors"]
        assert error["path"] == ["recruiter", "email"]
        assert set(error) == {"message", "path"}
        assert "Traceback" not in error["message"] and error["message"]


async def test_an_invalid_selection_is_refused_and_nothing_is_stored(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (_, http):
        world = await build_world()
        owner = token_of(issuer, "acme")
        company = global_id("Company", world.acme)
        bad = [
            "submission { stage",  # does not parse
            "submission { noSuchField }",  # not in the schema
            "fragment F on Job { title }",  # not on DomainEvent
            "submission { job { company { jobs { nodes { company { jobs { nodes { company {"
            " jobs { nodes { title } } } } } } } } } } }",  # deeper than the depth limit
        ]
        for selection in bad:
            refused = await create(
                http, owner, companyId=company, url="http://127.0.0.1:9/hooks",
                eventTypes=["SUBMISSION_MOVED"], selection=selection,
            )  # fmt: skip
            assert refused["webhookEndpoint"] is None and refused["secret"] is None, selection
            assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
                (["selection"], "INVALID_SELECTION")
            ], selection
        assert await WebhookEndpoint.find_all().count() == 0

        kept = await create(
            http, owner, companyId=company, url="http://127.0.0.1:9/hooks",
            eventTypes=["SUBMISSION_MOVED"], selection="submission { stage }",
        )  # fmt: skip
        endpoint_id = kept["webhookEndpoint"]["id"]
        changed = await gql(
            http, UPDATE, {"input": {"endpointId": endpoint_id, "selection": "job { nope }"}},
            as_=owner,
        )  # fmt: skip
        payload = changed["data"]["updateWebhookEndpoint"]
        assert [e["code"] for e in payload["userErrors"]] == ["INVALID_SELECTION"]
        (stored,) = await WebhookEndpoint.find_all().to_list()
        assert stored.selection is not None and "stage" in stored.selection

        dropped = await gql(
            http, UPDATE, {"input": {"endpointId": endpoint_id, "selection": ""}}, as_=owner
        )
        assert dropped["data"]["updateWebhookEndpoint"]["webhookEndpoint"] == {"selection": None}


async def test_an_erased_candidate_comes_out_as_the_api_shows_them_after_erasure(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (app, http), running_receiver(Receiver()) as receiver:
        world = await build_world()
        owner = token_of(issuer, "acme")
        created = await create(
            http, owner, companyId=global_id("Company", world.acme), url=receiver.url,
            eventTypes=["SUBMISSION_MOVED"],
            selection="candidate { fullName } submission { candidate { fullName erasedAt } }",
        )  # fmt: skip
        person = {"candidateId": global_id("Candidate", world.submitted)}
        assert await mutate(http, "revokeCandidateConsent", person, issuer.admin_token()) == []
        assert await mutate(http, "eraseCandidate", person, token_of(issuer, "sam")) == []
        sid = global_id("Submission", world.sam_submission)
        reject = {"id": sid, "stage": "REJECTED", "rejectReason": "OTHER"}
        assert await mutate(http, "moveSubmission", reject, owner) == []
        await deliver_all(app.state.services)
        shown = await gql(
            http, "query($id: ID!) { node(id: $id) { ... on Submission {"
            " candidate { fullName erasedAt } } } }", {"id": sid}, as_=owner,
        )  # fmt: skip

        (request,) = receiver.received
        body = verify_webhook(created["secret"], request.headers, request.body)
        assert body["data"]["selection"]["candidate"] is None
        assert shown["data"]["node"]["candidate"]["erasedAt"] is not None
        assert body["data"]["selection"]["submission"] == shown["data"]["node"]
        assert world.submitted.full_name not in request.body.decode()


async def test_a_selection_costing_more_than_a_query_may_is_not_run(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (app, http), running_receiver(Receiver()) as receiver:
        world = await build_world()
        created = await create(
            http, token_of(issuer, "acme"), companyId=global_id("Company", world.acme),
            url=receiver.url, eventTypes=["JOB_PUBLISHED"],
            selection="job { company { jobs(first: 100) { nodes { title company {"
            " jobs(first: 100) { nodes { title } } } } } } }",
        )  # fmt: skip
        assert created["userErrors"] == []
        subjects = {"job": world.open_job.id, "company": world.acme.id}
        await write_event(EventType.JOB_PUBLISHED, subjects, ("status",))
        await deliver_all(app.state.services)

        (request,) = receiver.received
        body = verify_webhook(created["secret"], request.headers, request.body)
        assert body["data"]["selection"] is None
        (error,) = body["data"]["selectionErrors"]
        assert "more than the 1000 allowed" in error["message"]
        assert body["data"]["changedFields"] == ["status"]
