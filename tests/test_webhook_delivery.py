"""Webhook delivery to a real HTTP receiver on loopback: signatures, retries, give-up, disable."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
from bson import ObjectId

from crowdhire.client import WebhookVerificationError, verify_webhook
from crowdhire.models.events import EventType
from crowdhire.models.tasks import BackgroundTask, TaskStatus
from crowdhire.models.webhooks import (
    DeliveryStatus,
    DispatchMark,
    EndpointStatus,
    SigningSecret,
    WebhookDelivery,
    WebhookEndpoint,
)
from crowdhire.resolvers.webhook_deliveries import DELIVER_TASK
from crowdhire.resolvers.webhooks import new_signing_secret as new_secret
from crowdhire.schema.ids import encode_global_id
from crowdhire.server import Services
from crowdhire.settings import Settings
from crowdhire.webhooks.service import WebhookService
from tests.conftest import AppFactory
from tests.factories import make_company
from tests.webhook_support import Receiver, running_receiver, write_event

FAST = {"webhook_allow_loopback": True, "webhook_retry_base_seconds": 0.0}


async def make_endpoint(url: str, company_id: ObjectId | None, **fields: object) -> WebhookEndpoint:
    """An endpoint stored as createWebhookEndpoint stores one."""
    values: dict[str, object] = {
        "company_id": company_id,
        "url": url,
        "event_types": [EventType.SUBMISSION_CREATED, EventType.JOB_PUBLISHED],
        "secrets": [SigningSecret(value=new_secret())],
        "created_by": "auth0|owner",
    }
    return await WebhookEndpoint(**(values | fields)).insert()


async def deliver_all(services: Services) -> None:
    """Fan out and run every runnable attempt, as the worker and the loop would."""
    while await services.webhooks.dispatch() or await services.worker.drain():
        pass


async def test_a_company_endpoint_gets_its_events_signed_and_no_one_elses(
    app_factory: AppFactory,
) -> None:
    async with app_factory(**FAST) as (app, _), running_receiver(Receiver()) as receiver:
        services: Services = app.state.services
        ours, theirs = await make_company(), await make_company()
        assert ours.id is not None
        endpoint = await make_endpoint(receiver.url, ours.id)
        job = ObjectId()
        event = await write_event(
            EventType.JOB_PUBLISHED, {"job": job, "company": ours.id}, ("status",)
        )
        await write_event(EventType.JOB_PUBLISHED, {"job": ObjectId(), "company": theirs.id})
        await write_event(EventType.JOB_CLOSED, {"job": job, "company": ours.id})  # not chosen

        await deliver_all(services)

        (request,) = receiver.received
        secret = endpoint.secrets[0].value
        body = verify_webhook(secret, request.headers, request.body)
        assert body["type"] == "job.published"
        assert body["data"]["jobId"] == encode_global_id("Job", job)
        assert body["data"]["companyId"] == encode_global_id("Company", ours.id)
        assert body["data"]["changedFields"] == ["status"]
        assert event.id is not None
        assert body["data"]["id"] == encode_global_id("DomainEvent", event.id)
        assert list(body) == ["type", "timestamp", "data"]
        with pytest.raises(WebhookVerificationError):
            verify_webhook(new_secret(), request.headers, request.body)
        with pytest.raises(WebhookVerificationError):
            verify_webhook(secret, request.headers, request.body.replace(b"job", b"jab"))
        (delivery,) = await WebhookDelivery.find_all().to_list()
        assert delivery.status is DeliveryStatus.SUCCEEDED
        assert (delivery.attempts, delivery.last_response_code) == (1, 200)
        assert delivery.last_latency_ms is not None and delivery.last_latency_ms > 0


async def test_five_500s_then_a_200_give_exactly_one_success(app_factory: AppFactory) -> None:
    receiver = Receiver(script=[500] * 5, then=200)
    async with app_factory(**FAST) as (app, _), running_receiver(receiver):
        services: Services = app.state.services
        company = await make_company()
        await make_endpoint(receiver.url, company.id)
        await write_event(
            EventType.SUBMISSION_CREATED, {"submission": ObjectId(), "company": company.id}
        )

        await deliver_all(services)
        await deliver_all(services)  # nothing left to do: no further request

        assert len(receiver.received) == 6
        assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
        (delivery,) = await WebhookDelivery.find_all().to_list()
        assert delivery.status is DeliveryStatus.SUCCEEDED
        assert (delivery.attempts, delivery.last_response_code) == (6, 200)


async def test_retries_stop_after_the_window_and_a_failing_endpoint_is_disabled(
    app_factory: AppFactory,
) -> None:
    receiver = Receiver(then=503)
    settings = FAST | {
        "webhook_retry_base_seconds": 0.05,
        "webhook_retry_cap_seconds": 0.1,
        "webhook_retry_window_seconds": 0.4,
        "webhook_disable_after_seconds": 1.0,
    }
    async with app_factory(**settings) as (app, _), running_receiver(receiver):
        services: Services = app.state.services
        company = await make_company()
        endpoint = await make_endpoint(receiver.url, company.id)
        subjects = {"submission": ObjectId(), "company": company.id}
        await write_event(EventType.SUBMISSION_CREATED, subjects)

        first = await deliver_until_settled(services)

        assert first.status is DeliveryStatus.FAILED
        assert first.last_response_code == 503 and first.last_error == "HTTP 503"
        assert first.attempts == len(receiver.received) > 2  # retried, with backoff, then gave up
        stored = await WebhookEndpoint.get(endpoint.id)
        assert stored is not None and stored.status is EndpointStatus.ACTIVE

        await asyncio.sleep(0.7)  # the endpoint has now failed for longer than a second
        await write_event(EventType.SUBMISSION_CREATED, subjects | {"submission": ObjectId()})
        await deliver_until_settled(services, skip=1)

        stored = await WebhookEndpoint.get(endpoint.id)
        assert stored is not None and stored.status is EndpointStatus.DISABLED
        assert stored.disabled_reason is not None and "HTTP 503" in stored.disabled_reason
        sent = len(receiver.received)
        await write_event(EventType.SUBMISSION_CREATED, subjects | {"submission": ObjectId()})
        await deliver_all(services)
        assert len(receiver.received) == sent  # a disabled endpoint gets nothing new


async def deliver_until_settled(services: Services, skip: int = 0) -> WebhookDelivery:
    """Deliver (waiting out backoffs) until the newest delivery succeeded or gave up."""
    for _ in range(200):
        await deliver_all(services)
        found = await WebhookDelivery.find_all().sort("created_at").skip(skip).first_or_none()
        if found is not None and found.status is not DeliveryStatus.PENDING:
            return found
        await asyncio.sleep(0.03)
    raise AssertionError("the delivery never settled")


async def test_a_worker_killed_mid_delivery_loses_no_event(
    app_factory: AppFactory, settings: Settings
) -> None:
    receiver = Receiver(hold=1)  # the first request waits: the worker is killed meanwhile
    lease = 2.0
    async with app_factory(**FAST) as (app, _), running_receiver(receiver):
        services: Services = app.state.services
        company = await make_company()
        await make_endpoint(receiver.url, company.id)
        await write_event(
            EventType.SUBMISSION_CREATED, {"submission": ObjectId(), "company": company.id}
        )
        assert await services.webhooks.dispatch() == 1
        environment = os.environ | {
            "CROWDHIRE_ENV": "test",
            "MONGODB_URI": settings.mongodb_uri or "",
            "MONGODB_DB": services.settings.mongodb_db,
            "WEBHOOK_ALLOW_LOOPBACK": "true",
            "WORKER_LEASE_SECONDS": str(lease),
        }
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.webhook_worker", env=environment,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            async with asyncio.timeout(30):
                await receiver.arrived.wait()
        finally:
            worker.kill()
            await worker.wait()
        receiver.release.set()
        (claimed,) = await BackgroundTask.find({"kind": DELIVER_TASK}).to_list()
        assert claimed.status is TaskStatus.RUNNING  # the dead worker's lease still holds it
        assert await services.worker.drain() == 0

        await asyncio.sleep(lease + 0.2)
        await deliver_all(services)

        assert len(receiver.received) == 2  # the attempt the kill cut off, then the redelivery
        assert (
            receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
        )
        (delivery,) = await WebhookDelivery.find_all().to_list()
        assert delivery.status is DeliveryStatus.SUCCEEDED
        assert (delivery.attempts, delivery.last_response_code) == (1, 200)


async def test_the_address_is_checked_again_at_delivery(app_factory: AppFactory) -> None:
    # Registered while the name resolved to an allowed address; now it resolves to loopback,
    # which this deployment does not allow (DNS rebinding).
    async with app_factory() as (app, _), running_receiver(Receiver()) as receiver:
        services: Services = app.state.services
        company = await make_company()
        await make_endpoint(receiver.url.replace("127.0.0.1", "localhost"), company.id)
        await write_event(EventType.JOB_PUBLISHED, {"job": ObjectId(), "company": company.id})

        await services.webhooks.dispatch()
        await services.worker.drain()

        assert receiver.received == []
        (delivery,) = await WebhookDelivery.find_all().to_list()
        assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 1
        assert delivery.last_response_code is None
        assert delivery.last_error is not None and delivery.last_error.startswith("refused:")


async def test_a_redirect_to_a_private_address_is_not_followed(app_factory: AppFactory) -> None:
    receiver = Receiver(redirect_to="http://10.0.0.7/internal")
    async with app_factory(**FAST) as (app, _), running_receiver(receiver):
        services: Services = app.state.services
        company = await make_company()
        await make_endpoint(receiver.url, company.id)
        await write_event(EventType.JOB_PUBLISHED, {"job": ObjectId(), "company": company.id})

        await services.webhooks.dispatch()
        await services.worker.run_once()

        assert len(receiver.received) == 1
        (delivery,) = await WebhookDelivery.find_all().to_list()
        assert delivery.last_response_code == 302
        assert (
            delivery.last_error is not None and "redirects are not followed" in delivery.last_error
        )
        assert delivery.status is DeliveryStatus.PENDING  # a failed attempt, retried later


async def test_a_receivers_answer_body_is_never_kept(
    app_factory: AppFactory,
) -> None:
    receiver = Receiver(script=[500], answer_body=b"SECRET-STACK-TRACE " * 200_000)
    async with app_factory(**FAST) as (app, _), running_receiver(receiver):
        services: Services = app.state.services
        company = await make_company()
        await make_endpoint(receiver.url, company.id)
        await write_event(EventType.JOB_PUBLISHED, {"job": ObjectId(), "company": company.id})

        await services.webhooks.dispatch()
        await services.worker.run_once()

        raw = await WebhookDelivery.get_pymongo_collection().find_one({})
        assert raw is not None and raw["last_response_code"] == 500
        assert "SECRET-STACK-TRACE" not in str(raw)
        assert len(str(raw)) < 1024


async def test_410_gone_disables_the_endpoint_with_the_reason(app_factory: AppFactory) -> None:
    async with app_factory(**FAST) as (app, _), running_receiver(Receiver(then=410)) as receiver:
        services: Services = app.state.services
        company = await make_company()
        endpoint = await make_endpoint(receiver.url, company.id)
        await write_event(EventType.JOB_PUBLISHED, {"job": ObjectId(), "company": company.id})

        await deliver_all(services)

        assert len(receiver.received) == 1
        stored = await WebhookEndpoint.get(endpoint.id)
        assert stored is not None and stored.status is EndpointStatus.DISABLED
        assert stored.disabled_reason == "the receiver answered 410 Gone"


async def test_concurrent_fan_outs_create_each_delivery_exactly_once(
    app_factory: AppFactory,
) -> None:
    async with app_factory(**FAST) as (app, _):
        services: Services = app.state.services
        company = await make_company()
        await make_endpoint("http://127.0.0.1:9/a", company.id)
        await make_endpoint("http://127.0.0.1:9/b", None)  # an admin endpoint hears everything
        for _ in range(30):
            await write_event(EventType.JOB_PUBLISHED, {"job": ObjectId(), "company": company.id})
        others = [WebhookService(services.settings.model_copy(update={"webhook_dispatch_batch": 7}))
                  for _ in range(3)]  # fmt: skip
        try:
            # Four instances' fan-outs at once, in batches of 7 so their passes overlap.
            created = await asyncio.gather(
                services.webhooks.dispatch(), *(o.dispatch() for o in others)
            )
        finally:
            for other in others:
                await other.stop()

        assert sum(created) == 60
        assert await WebhookDelivery.find_all().count() == 60
        assert await BackgroundTask.find({"kind": DELIVER_TASK}).count() == 60
        mark = await DispatchMark.get_pymongo_collection().find_one({})
        assert mark is not None and mark["position"] == 30


async def test_a_path_that_looks_like_a_host_stays_a_path(app_factory: AppFactory) -> None:
    async with app_factory(**FAST) as (app, _), running_receiver(Receiver()) as receiver:
        services: Services = app.state.services
        company = await make_company()
        sneaky = receiver.url.replace("/hooks", "//10.0.0.7/hooks")
        await make_endpoint(sneaky, company.id)
        await write_event(EventType.JOB_PUBLISHED, {"job": ObjectId(), "company": company.id})

        await services.webhooks.dispatch()
        await services.worker.run_once()

        (delivery,) = await WebhookDelivery.find_all().to_list()
        assert delivery.last_response_code == 404  # the checked receiver answered, not 10.0.0.7
