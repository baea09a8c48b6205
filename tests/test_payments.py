"""Placement fees against a real localstripe: intents, the signed webhook, refunds, earnings."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId

from crowdhire.dev.stripe import LocalStripeServer
from crowdhire.models import AuditEvent, Company, Placement
from crowdhire.models.common import Money
from crowdhire.models.payments import PlacementPayment, StripeEvent
from crowdhire.models.placements import PaymentStatus, prorated_refund
from crowdhire.schema.ids import encode_global_id
from tests.auth_support import Issuer
from tests.conftest import STRIPE_TEST_KEY
from tests.payments_support import (
    EARNINGS,
    MEMBER,
    OWNER,
    PAY,
    PAYMENT,
    REFUND,
    Deal,
    make_deal,
)
from tests.support import global_id, gql

WAIT_SECONDS = 30  # localstripe delivers about a second after the change


async def stripe_api(
    localstripe: LocalStripeServer, method: str, path: str, **form: Any
) -> dict[str, Any]:
    """Call localstripe directly, as Stripe.js or the Stripe dashboard would."""
    async with httpx.AsyncClient(base_url=localstripe.url, auth=(STRIPE_TEST_KEY, "")) as http:
        response = await http.request(method, path, data=form or None, params=None)
    assert response.status_code < 500, response.text
    result: dict[str, Any] = response.json()
    return result


async def pay_with_card(localstripe: LocalStripeServer, client_secret: str, number: str) -> int:
    """Play the SPA's Stripe.js: a card PaymentMethod, attached to the intent, then confirm."""
    intent_id = client_secret.split("_secret_")[0]
    method = await stripe_api(localstripe, "POST", "/v1/payment_methods", **{
        "type": "card", "card[number]": number, "card[exp_month]": "12",
        "card[exp_year]": "2030", "card[cvc]": "123"})  # fmt: skip
    await stripe_api(localstripe, "POST", f"/v1/payment_intents/{intent_id}",
                     payment_method=method["id"])  # fmt: skip
    async with httpx.AsyncClient(base_url=localstripe.url, auth=(STRIPE_TEST_KEY, "")) as http:
        confirmed = await http.post(f"/v1/payment_intents/{intent_id}/confirm")
    return confirmed.status_code


async def intents_for(localstripe: LocalStripeServer, deal: Deal) -> list[dict[str, Any]]:
    """Every PaymentIntent localstripe holds for the deal's placement (its list API)."""
    listed = await stripe_api(localstripe, "GET", "/v1/payment_intents?limit=1000")
    return [
        i for i in listed["data"] if i["metadata"].get("placement_id") == str(deal.placement.id)
    ]


async def wait_for_status(deal: Deal, wanted: PaymentStatus) -> Placement:
    """Wait for the webhook to land (a generous bound, not a timing assertion)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        placement = await Placement.get(deal.placement.id)
        assert placement is not None
        if placement.payment_status is wanted or time.monotonic() > deadline:
            return placement
        await asyncio.sleep(0.1)


async def start_payment(served_app: httpx.AsyncClient, issuer: Issuer, deal: Deal) -> str:
    """The owner starts paying; returns the client secret."""
    data = (
        await gql(
            served_app,
            PAY,
            variables={"input": {"placementId": deal.placement_gid}},
            as_=issuer.token(OWNER),
        )
    )["data"]
    secret: str = data["createPlacementFeePayment"]["clientSecret"]
    return secret


async def test_full_paid_path_owner_pays_by_card_and_the_signed_webhook_marks_it_paid(
    served_app: httpx.AsyncClient,
    issuer: Issuer,
    localstripe: LocalStripeServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    deal = await make_deal()
    recruiter_token = issuer.token(deal.recruiter.sub)
    rid = global_id("Recruiter", deal.recruiter)
    before = (await gql(served_app, EARNINGS, variables={"id": rid}, as_=recruiter_token))["data"]

    started = (
        await gql(
            served_app,
            PAY,
            variables={"input": {"placementId": deal.placement_gid}},
            as_=issuer.token(OWNER),
        )
    )["data"]
    payload = started["createPlacementFeePayment"]
    status = await pay_with_card(localstripe, payload["clientSecret"], "4242424242424242")
    placement = await wait_for_status(deal, PaymentStatus.PAID)
    shown = (
        await gql(
            served_app, PAYMENT, variables={"id": deal.placement_gid}, as_=issuer.token(OWNER)
        )
    )["data"]
    after = (await gql(served_app, EARNINGS, variables={"id": rid}, as_=recruiter_token))["data"]
    metrics = (await served_app.get("/metrics")).text

    fee, share = deal.placement.fee, deal.placement.recruiter_share.amount
    assert payload["userErrors"] == []
    assert payload["placement"]["paymentStatus"] == "PROCESSING"
    assert payload["placement"]["payment"]["amount"] == {"amount": fee.amount, "currency": "EUR"}
    assert payload["clientSecret"].startswith("pi_")
    assert status == 200
    assert placement.payment_status is PaymentStatus.PAID
    assert shown["node"]["paymentStatus"] == "PAID"
    assert shown["node"]["payment"]["status"] == "PAID"
    assert shown["node"]["payment"]["paidAt"] is not None
    assert before["node"]["earnings"] == [
        {"currency": "EUR", "pending": share, "earned": 0, "reversed": 0}
    ]
    assert after["node"]["earnings"] == [
        {"currency": "EUR", "pending": 0, "earned": share, "reversed": 0}
    ]
    company = await Company.get(deal.company.id)
    assert company is not None and (company.stripe_customer_id or "").startswith("cus_")
    events = await StripeEvent.find({"type": "payment_intent.succeeded"}).to_list()
    assert [e.outcome for e in events] == ["applied"]
    assert 'crowdhire_external_call_duration_seconds_count{target="stripe"}' in metrics
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "sk_" not in logged and "whsec_" not in logged and "_secret_" not in logged


async def test_repeating_the_mutation_returns_the_same_intent_while_unpaid(
    served_app: httpx.AsyncClient, issuer: Issuer, localstripe: LocalStripeServer
) -> None:
    deal = await make_deal()
    owner = issuer.token(OWNER)
    request = {"placementId": deal.placement_gid}

    first = (await gql(served_app, PAY, variables={"input": request}, as_=owner))["data"]
    concurrent = await asyncio.gather(
        *(gql(served_app, PAY, variables={"input": request}, as_=owner) for _ in range(3))
    )
    member = (await gql(served_app, PAY, variables={"input": request}, as_=issuer.token(MEMBER)))[
        "data"
    ]
    admin = (await gql(served_app, PAY, variables={"input": request}, as_=issuer.admin_token()))[
        "data"
    ]

    secret = first["createPlacementFeePayment"]["clientSecret"]
    assert [c["data"]["createPlacementFeePayment"]["clientSecret"] for c in concurrent] == [
        secret
    ] * 3
    assert len(await intents_for(localstripe, deal)) == 1
    assert await PlacementPayment.find({"placement_id": deal.placement.id}).count() == 1
    # a plain member may not start the payment; an admin may, but never sees the secret
    assert member["createPlacementFeePayment"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert admin["createPlacementFeePayment"]["userErrors"] == []
    assert admin["createPlacementFeePayment"]["clientSecret"] is None
    customers = await stripe_api(localstripe, "GET", "/v1/customers?limit=1000")
    mine = [c for c in customers["data"] if c["metadata"].get("company_id") == str(deal.company.id)]
    assert len(mine) == 1
    actions = await AuditEvent.find({"action": "createPlacementFeePayment"}).to_list()
    assert len(actions) == 5 and secret not in str([a.model_dump() for a in actions])


async def test_the_amount_is_the_fee_and_cannot_be_sent_by_the_client(
    served_app: httpx.AsyncClient, issuer: Issuer, localstripe: LocalStripeServer
) -> None:
    deal = await make_deal()
    tampered = {"placementId": deal.placement_gid, "amount": 1}

    response = await served_app.post(
        "/graphql",
        json={"query": PAY, "variables": {"input": tampered}},
        headers={"Authorization": f"Bearer {issuer.token(OWNER)}"},
    )
    await start_payment(served_app, issuer, deal)
    intents = await intents_for(localstripe, deal)

    assert response.json()["errors"][0]["extensions"]["code"] in (
        "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED")  # fmt: skip
    assert [(i["amount"], i["currency"]) for i in intents] == [(deal.placement.fee.amount, "eur")]


@pytest.mark.parametrize(
    ("who", "target", "code", "field"),
    [
        (None, "deal", "UNAUTHENTICATED", []),
        ("recruiter", "deal", "FORBIDDEN", ["placementId"]),
        (MEMBER, "deal", "FORBIDDEN", ["placementId"]),
        ("auth0|stranger", "deal", "FORBIDDEN", ["placementId"]),
        (OWNER, "missing", "FORBIDDEN", ["placementId"]),
        ("admin", "missing", "NOT_FOUND", ["placementId"]),
        (OWNER, "garbage", "INVALID_INPUT", ["placementId"]),
        (OWNER, "paid", "ALREADY_PAID", ["placementId"]),
    ],
)
async def test_create_payment_user_errors_change_nothing(
    served_app: httpx.AsyncClient,
    issuer: Issuer,
    localstripe: LocalStripeServer,
    who: str | None,
    target: str,
    code: str,
    field: list[str],
) -> None:
    deal = await make_deal()
    paid = await make_deal(payment_status=PaymentStatus.PAID)
    tokens = {"admin": issuer.admin_token(), "recruiter": issuer.token(deal.recruiter.sub)}
    token = None if who is None else tokens.get(who, issuer.token(who))
    ids = {
        "deal": deal.placement_gid,
        "paid": paid.placement_gid,
        "garbage": "nope",
        "missing": encode_global_id("Placement", ObjectId()),
    }

    data = (
        await gql(served_app, PAY, variables={"input": {"placementId": ids[target]}}, as_=token)
    )["data"]

    payload = data["createPlacementFeePayment"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert payload["placement"] is None and payload["clientSecret"] is None
    assert await PlacementPayment.find_all().count() == 0
    assert await AuditEvent.find_all().count() == 0
    unchanged = await Placement.get(deal.placement.id)
    assert unchanged is not None and unchanged.payment_status is PaymentStatus.UNPAID
    assert await intents_for(localstripe, deal) == []


async def test_earnings_are_visible_to_the_recruiter_and_admins_only(
    served_app: httpx.AsyncClient, issuer: Issuer
) -> None:
    deal = await make_deal()
    rid = global_id("Recruiter", deal.recruiter)
    response = await served_app.post(
        "/graphql",
        json={"query": EARNINGS, "variables": {"id": rid}},
        headers={"Authorization": f"Bearer {issuer.token(OWNER)}"},
    )
    admin = (await gql(served_app, EARNINGS, variables={"id": rid}, as_=issuer.admin_token()))[
        "data"
    ]

    body = response.json()
    assert body["data"]["node"] is None or body["data"]["node"]["earnings"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    share = deal.placement.recruiter_share.amount
    assert admin["node"]["earnings"] == [{"currency": "EUR", "pending": share, "earned": 0,
                                          "reversed": 0}]  # fmt: skip


async def test_a_declined_card_fails_then_the_retry_resumes_the_same_intent(
    served_app: httpx.AsyncClient, issuer: Issuer, localstripe: LocalStripeServer
) -> None:
    deal = await make_deal()
    secret = await start_payment(served_app, issuer, deal)

    declined = await pay_with_card(localstripe, secret, "4000000000000341")
    failed = await wait_for_status(deal, PaymentStatus.FAILED)
    again = await start_payment(served_app, issuer, deal)
    resumed = await Placement.get(deal.placement.id)

    assert declined == 402
    assert failed.payment_status is PaymentStatus.FAILED
    assert again == secret
    assert resumed is not None and resumed.payment_status is PaymentStatus.PROCESSING
    assert len(await intents_for(localstripe, deal)) == 1


async def test_refund_path_prorated_refund_through_stripe_refunds(
    served_app: httpx.AsyncClient, issuer: Issuer, localstripe: LocalStripeServer
) -> None:
    deal = await make_deal()
    admin = issuer.admin_token()
    request = {"placementId": deal.placement_gid}
    unpaid = (await gql(served_app, REFUND, variables={"input": request}, as_=admin))["data"]
    await pay_with_card(
        localstripe, await start_payment(served_app, issuer, deal), "4242424242424242"
    )
    await wait_for_status(deal, PaymentStatus.PAID)
    no_departure = (await gql(served_app, REFUND, variables={"input": request}, as_=admin))["data"]
    placement = deal.placement
    departure = placement.start_date + timedelta(days=30)
    due = prorated_refund(placement.fee.amount, placement.start_date,
                          placement.guarantee_end_date, departure)  # fmt: skip
    await Placement.find_one({"_id": placement.id}).update(  # as recordPlacementDeparture leaves it
        {"$set": {"departure_date": departure.isoformat(),
                  "refund_due": Money(amount=due, currency="EUR").model_dump()}})  # fmt: skip
    owner_try = (
        await gql(served_app, REFUND, variables={"input": request}, as_=issuer.token(OWNER))
    )["data"]
    refunded = (await gql(served_app, REFUND, variables={"input": request}, as_=admin))["data"]
    twice = (await gql(served_app, REFUND, variables={"input": request}, as_=admin))["data"]
    earnings = (
        await gql(
            served_app,
            EARNINGS,
            variables={"id": global_id("Recruiter", deal.recruiter)},
            as_=admin,
        )
    )["data"]

    assert unpaid["refundPlacementFee"]["userErrors"][0]["code"] == "NO_DEPARTURE"
    assert no_departure["refundPlacementFee"]["userErrors"][0]["code"] == "NO_DEPARTURE"
    assert owner_try["refundPlacementFee"]["userErrors"][0]["code"] == "FORBIDDEN"
    payload = refunded["refundPlacementFee"]
    assert payload["userErrors"] == []
    assert payload["placement"]["paymentStatus"] == "REFUNDED"
    assert payload["placement"]["payment"]["amountRefunded"] == {"amount": due}
    assert payload["placement"]["payment"]["refunds"] == [
        {"amount": {"amount": due, "currency": "EUR"}}
    ]
    assert twice["refundPlacementFee"]["userErrors"][0]["code"] == "ALREADY_REFUNDED"
    intent_id = (await intents_for(localstripe, deal))[0]["id"]
    refunds = await stripe_api(localstripe, "GET", f"/v1/refunds?payment_intent={intent_id}")
    assert [r["amount"] for r in refunds["data"]] == [due]
    share = placement.recruiter_share.amount
    assert earnings["node"]["earnings"] == [{"currency": "EUR", "pending": 0, "earned": share,
        "reversed": due * share // placement.fee.amount}]  # fmt: skip
