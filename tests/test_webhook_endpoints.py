"""Webhook endpoint mutations through the API: who may manage them, bad input, the secret
shown once, rotation with two valid signatures, deliveries and redelivery."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pydantic import SecretStr

from crowdhire.client import WebhookVerificationError, verify_webhook
from crowdhire.models import Company, CompanyMember
from crowdhire.models.companies import MemberRole
from crowdhire.models.events import EventType
from crowdhire.models.jobs import JobStatus
from crowdhire.models.webhooks import WebhookEndpoint
from crowdhire.server import Services
from crowdhire.settings import Environment
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_company, make_job
from tests.support import codes, global_id, gql
from tests.webhook_support import Receiver, running_receiver, write_event

FAST = {"webhook_allow_loopback": True, "webhook_retry_base_seconds": 0.0}
OWNER, MEMBER = "auth0|hooks-owner", "auth0|hooks-member"

CREATE = """mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    secret webhookEndpoint { id url eventTypes status company { id } }
    userErrors { field code message } } }"""
ROTATE = """mutation($id: ID!) { rotateWebhookSecret(input: {endpointId: $id}) {
  secret webhookEndpoint { previousSecretExpiresAt } userErrors { field code } } }"""
UPDATE = """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
  webhookEndpoint { url eventTypes status disabledReason } userErrors { field code } } }"""
DELETE = """mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) {
  deletedEndpointId userErrors { field code } } }"""
REDELIVER = """mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) {
  delivery { status } userErrors { field code } } }"""
ENDPOINTS = """query($company: ID) { webhookEndpoints(companyId: $company) {
  id url status disabledReason
  deliveries(first: 10) { totalCount nodes { id eventType status attempts lastResponseCode
    lastLatencyMs lastError event { type } } } } }"""


async def owned_company() -> Company:
    """A company with an owner and a plain member."""
    company = await make_company()
    await CompanyMember(company_id=company.id, sub=OWNER, role=MemberRole.OWNER).insert()
    await CompanyMember(company_id=company.id, sub=MEMBER).insert()
    return company


async def create(http: httpx.AsyncClient, token: str, **input_fields: Any) -> dict[str, Any]:
    """The createWebhookEndpoint payload."""
    body = await gql(http, CREATE, {"input": input_fields}, as_=token)
    payload: dict[str, Any] = body["data"]["createWebhookEndpoint"]
    return payload


async def deliver_all(services: Services) -> None:
    """Fan out and run every runnable attempt, as the worker and the loop would."""
    while await services.webhooks.dispatch() or await services.worker.drain():
        pass


async def test_an_owner_registers_an_endpoint_sees_its_deliveries_and_redelivers(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (app, http), running_receiver(Receiver()) as receiver:
        services: Services = app.state.services
        company = await owned_company()
        owner = issuer.token(OWNER)
        company_id = global_id("Company", company)

        created = await create(
            http, owner, companyId=company_id, url=receiver.url,
            eventTypes=["SUBMISSION_CREATED", "SUBMISSION_CREATED", "JOB_FILLED"],
        )  # fmt: skip
        await write_event(
            EventType.SUBMISSION_CREATED, {"submission": ObjectId(), "company": company.id}
        )
        await deliver_all(services)
        listed = await gql(http, ENDPOINTS, {"company": company_id}, as_=owner)

        assert created["userErrors"] == []
        secret = created["secret"]
        assert secret.startswith("whsec_")
        assert created["webhookEndpoint"]["eventTypes"] == ["SUBMISSION_CREATED", "JOB_FILLED"]
        assert created["webhookEndpoint"]["company"] == {"id": company_id}
        assert secret not in str(listed)  # shown once: no query returns it
        (endpoint,) = listed["data"]["webhookEndpoints"]
        (delivery,) = endpoint["deliveries"]["nodes"]
        assert delivery["status"] == "SUCCEEDED" and delivery["attempts"] == 1
        assert delivery["lastResponseCode"] == 200 and delivery["lastLatencyMs"] > 0
        assert delivery["event"] == {"type": "SUBMISSION_CREATED"}
        verify_webhook(secret, receiver.received[0].headers, receiver.received[0].body)

        again = await gql(http, REDELIVER, {"id": delivery["id"]}, as_=owner)
        await deliver_all(services)
        after = await gql(http, ENDPOINTS, {"company": company_id}, as_=owner)

        assert again["data"]["redeliverWebhook"]["delivery"] == {"status": "PENDING"}
        assert len(receiver.received) == 2
        assert (
            receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
        )
        (redelivered,) = after["data"]["webhookEndpoints"][0]["deliveries"]["nodes"]
        assert (redelivered["status"], redelivered["attempts"]) == ("SUCCEEDED", 2)


async def test_who_may_manage_endpoints(app_factory: AppFactory, issuer: Issuer) -> None:
    async with app_factory(**FAST) as (_, http):
        company, other = await owned_company(), await make_company()
        url = "http://127.0.0.1:9/hooks"
        types = ["JOB_PUBLISHED"]
        company_id = global_id("Company", company)

        anonymous = await gql(
            http, CREATE, {"input": {"companyId": company_id, "url": url, "eventTypes": types}}
        )
        member = await create(
            http, issuer.token(MEMBER), companyId=company_id, url=url, eventTypes=types
        )
        stranger = await create(
            http,
            issuer.token(OWNER),
            companyId=global_id("Company", other),
            url=url,
            eventTypes=types,
        )
        everything = await create(http, issuer.token(OWNER), url=url, eventTypes=types)
        admin_wide = await create(http, issuer.admin_token(), url=url, eventTypes=types)
        owned = await create(
            http, issuer.token(OWNER), companyId=company_id, url=url, eventTypes=types
        )
        endpoint_id = owned["webhookEndpoint"]["id"]
        other_owner = "auth0|other-owner"
        await CompanyMember(company_id=other.id, sub=other_owner, role=MemberRole.OWNER).insert()
        foreign_delete = await gql(http, DELETE, {"id": endpoint_id}, as_=issuer.token(other_owner))
        foreign_list = await gql(
            http,
            ENDPOINTS,
            {"company": company_id},
            as_=issuer.token(other_owner),
            expect_errors=True,
        )

        assert codes(anonymous["data"]["createWebhookEndpoint"]) == [([], "UNAUTHENTICATED")]
        assert codes(member) == [(["companyId"], "FORBIDDEN")]
        assert codes(stranger) == [(["companyId"], "FORBIDDEN")]
        assert codes(everything) == [(["companyId"], "FORBIDDEN")]
        assert admin_wide["userErrors"] == [] and admin_wide["webhookEndpoint"]["company"] is None
        assert codes(foreign_delete["data"]["deleteWebhookEndpoint"]) == [
            (["endpointId"], "NOT_FOUND")
        ]
        assert foreign_list["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert await WebhookEndpoint.find_all().count() == 2


@pytest.mark.parametrize(
    ("url", "types", "expected"),
    [
        (
            "https://user:pass@hooks.example.com/x",
            ["JOB_PUBLISHED"],
            (["url"], "CREDENTIALS_IN_URL"),
        ),
        ("http://10.0.0.7/hooks", ["JOB_PUBLISHED"], (["url"], "ADDRESS_NOT_ALLOWED")),
        ("http://192.168.1.20:8080/hooks", ["JOB_PUBLISHED"], (["url"], "ADDRESS_NOT_ALLOWED")),
        (
            "http://169.254.169.254/latest/meta-data",
            ["JOB_PUBLISHED"],
            (["url"], "ADDRESS_NOT_ALLOWED"),
        ),
        ("http://[fe80::1]/hooks", ["JOB_PUBLISHED"], (["url"], "ADDRESS_NOT_ALLOWED")),
        ("http://[::ffff:10.0.0.1]/hooks", ["JOB_PUBLISHED"], (["url"], "ADDRESS_NOT_ALLOWED")),
        ("http://127.0.0.1:9/hooks", ["JOB_PUBLISHED"], (["url"], "ADDRESS_NOT_ALLOWED")),
        ("http://localhost:9/hooks", ["JOB_PUBLISHED"], (["url"], "ADDRESS_NOT_ALLOWED")),
        ("ftp://hooks.example.com/x", ["JOB_PUBLISHED"], (["url"], "INVALID_URL")),
        ("not a url", ["JOB_PUBLISHED"], (["url"], "INVALID_URL")),
        ("http://no-such-host.invalid/x", ["JOB_PUBLISHED"], (["url"], "UNRESOLVABLE_HOST")),
        ("http://10.0.0.7/hooks", [], None),
    ],
)
async def test_bad_urls_and_event_types_are_refused_and_nothing_is_stored(
    app_factory: AppFactory, issuer: Issuer, url: str, types: list[str], expected: Any
) -> None:
    async with app_factory() as (_, http):  # loopback not allowed: the production rule
        payload = await create(http, issuer.admin_token(), url=url, eventTypes=types)

        if expected is None:  # both problems at once, both reported
            assert codes(payload) == [
                (["url"], "ADDRESS_NOT_ALLOWED"),
                (["eventTypes"], "INVALID_INPUT"),
            ]
        else:
            assert codes(payload) == [expected]
        assert payload["webhookEndpoint"] is None and payload["secret"] is None
        assert await WebhookEndpoint.find_all().count() == 0


async def test_unknown_event_types_are_a_validation_error_naming_the_field(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory() as (_, http):
        variables = {"input": {"url": "https://hooks.example.com/", "eventTypes": ["JOB_EXPLODED"]}}
        body = await gql(http, CREATE, variables, as_=issuer.admin_token(), expect_errors=True)

        (error,) = body["errors"]
        assert "eventTypes" in error["message"] and "JOB_EXPLODED" in error["message"]
        assert await WebhookEndpoint.find_all().count() == 0


async def test_production_allows_only_https_and_never_loopback(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    production = {
        "crowdhire_env": Environment.PRODUCTION,
        "webhook_allow_loopback": True,  # ignored in production
        "cursor_secret": SecretStr("c" * 32),
        "consent_token_secret": SecretStr("k" * 32),
    }
    async with app_factory(**production) as (_, http):
        plain = await create(
            http, issuer.admin_token(), url="http://93.184.215.14/x", eventTypes=["JOB_PUBLISHED"]
        )
        loopback = await create(
            http, issuer.admin_token(), url="https://127.0.0.1/x", eventTypes=["JOB_PUBLISHED"]
        )

        assert codes(plain) == [(["url"], "HTTPS_REQUIRED")]
        assert codes(loopback) == [(["url"], "ADDRESS_NOT_ALLOWED")]


async def test_a_rotated_secret_and_the_old_one_both_verify_until_the_overlap_ends(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    settings = FAST | {"webhook_secret_overlap_seconds": 0.6}
    async with app_factory(**settings) as (app, http), running_receiver(Receiver()) as receiver:
        services: Services = app.state.services
        company = await owned_company()
        owner = issuer.token(OWNER)
        created = await create(
            http,
            owner,
            companyId=global_id("Company", company),
            url=receiver.url,
            eventTypes=["JOB_PAUSED"],
        )
        old = created["secret"]
        endpoint_id = created["webhookEndpoint"]["id"]

        rotated = (await gql(http, ROTATE, {"id": endpoint_id}, as_=owner))["data"][
            "rotateWebhookSecret"
        ]
        new = rotated["secret"]
        await write_event(EventType.JOB_PAUSED, {"job": ObjectId(), "company": company.id})
        await deliver_all(services)
        await asyncio.sleep(0.7)
        await write_event(EventType.JOB_PAUSED, {"job": ObjectId(), "company": company.id})
        await deliver_all(services)

        assert new != old and new.startswith("whsec_")
        assert rotated["webhookEndpoint"]["previousSecretExpiresAt"] is not None
        during, after = receiver.received
        assert len(during.headers["webhook-signature"].split()) == 2
        verify_webhook(old, during.headers, during.body)
        verify_webhook(new, during.headers, during.body)
        assert len(after.headers["webhook-signature"].split()) == 1
        verify_webhook(new, after.headers, after.body)
        with pytest.raises(WebhookVerificationError):
            verify_webhook(old, after.headers, after.body)


async def test_a_retried_create_returns_the_same_endpoint_and_secret(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (_, http):
        fields = {
            "url": "http://127.0.0.1:9/x",
            "eventTypes": ["JOB_CLOSED"],
            "clientMutationId": "k1",
        }
        first = await create(http, issuer.admin_token(), **fields)
        second = await create(http, issuer.admin_token(), **fields)

        assert first["userErrors"] == [] and first == second
        assert await WebhookEndpoint.find_all().count() == 1


async def test_update_checks_the_new_url_and_reenables_a_disabled_endpoint(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (_, http):
        created = await create(
            http, issuer.admin_token(), url="http://127.0.0.1:9/x", eventTypes=["JOB_CLOSED"]
        )
        endpoint_id = created["webhookEndpoint"]["id"]
        admin = issuer.admin_token()

        bad = await gql(
            http,
            UPDATE,
            {"input": {"endpointId": endpoint_id, "url": "http://10.1.2.3/"}},
            as_=admin,
        )
        off = await gql(
            http, UPDATE, {"input": {"endpointId": endpoint_id, "enabled": False}}, as_=admin
        )
        on = await gql(
            http,
            UPDATE,
            {"input": {"endpointId": endpoint_id, "enabled": True, "eventTypes": ["JOB_FILLED"]}},
            as_=admin,
        )
        gone = await gql(http, DELETE, {"id": endpoint_id}, as_=admin)

        assert codes(bad["data"]["updateWebhookEndpoint"]) == [(["url"], "ADDRESS_NOT_ALLOWED")]
        assert off["data"]["updateWebhookEndpoint"]["webhookEndpoint"]["status"] == "DISABLED"
        assert on["data"]["updateWebhookEndpoint"]["webhookEndpoint"] == {
            "url": "http://127.0.0.1:9/x", "eventTypes": ["JOB_FILLED"], "status": "ACTIVE",
            "disabledReason": None,
        }  # fmt: skip
        assert gone["data"]["deleteWebhookEndpoint"] == {
            "deletedEndpointId": endpoint_id,
            "userErrors": [],
        }
        assert await WebhookEndpoint.find_all().count() == 0


PUBLISH = """mutation($id: ID!) { publishJob(input: {jobId: $id}) { userErrors { code } } }"""
PAUSE = """mutation($id: ID!) { pauseJob(input: {jobId: $id}) { userErrors { code } } }"""


async def test_a_real_mutation_reaches_the_owners_endpoint_and_nothing_else_does(
    app_factory: AppFactory, issuer: Issuer
) -> None:
    async with app_factory(**FAST) as (app, http), running_receiver(Receiver()) as receiver:
        services: Services = app.state.services
        company, other = await owned_company(), await make_company()
        ours = await make_job(company, status=JobStatus.DRAFT)
        theirs = await make_job(other, status=JobStatus.DRAFT)
        owner = issuer.token(OWNER)
        created = await create(
            http, owner, companyId=global_id("Company", company), url=receiver.url,
            eventTypes=["JOB_PUBLISHED", "JOB_PAUSED"],
        )  # fmt: skip

        await gql(http, PUBLISH, {"id": global_id("Job", ours)}, as_=issuer.token(MEMBER))
        await gql(http, PUBLISH, {"id": global_id("Job", theirs)}, as_=issuer.admin_token())
        refused = await gql(http, PAUSE, {"id": global_id("Job", theirs)}, as_=issuer.token(MEMBER))
        await deliver_all(services)

        assert refused["data"]["pauseJob"]["userErrors"] == [{"code": "FORBIDDEN"}]
        (request,) = receiver.received
        body = verify_webhook(created["secret"], request.headers, request.body)
        assert body["type"] == "job.published"
        assert body["data"]["jobId"] == global_id("Job", ours)
        assert "status" in body["data"]["changedFields"]
