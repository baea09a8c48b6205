"""Payment events from Stripe's signed notices (actor `stripe`) and the payment mutations; none
for refused deliveries or refused mutations."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from crowdhire.dev.stripe import LocalStripeServer
from crowdhire.models import Placement
from crowdhire.models.common import Money
from crowdhire.models.events import EventType
from crowdhire.models.placements import PaymentStatus
from tests.auth_support import Issuer
from tests.conftest import STRIPE_TEST_WEBHOOK_SECRET, AppFactory
from tests.events_support import mutate, outbox
from tests.payments_support import (
    MEMBER,
    OWNER,
    Deal,
    deliver,
    intent_event,
    known_intent,
    make_deal,
    signed,
)
from tests.test_payments import pay_with_card, start_payment, wait_for_status


@pytest.fixture
async def hook(app_factory: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The app (in-process) accepting Stripe's test signing secret."""
    async with app_factory(stripe_webhook_secret=SecretStr(STRIPE_TEST_WEBHOOK_SECRET)) as (_, c):
        yield c


@pytest.fixture
async def deal(hook: httpx.AsyncClient) -> Deal:
    """A placement whose PaymentIntent `pi_events` the app created."""
    found = await make_deal()
    await known_intent(found, "pi_events")
    return found


def _refund_event(deal: Deal, amount: int, currency: str = "eur") -> dict[str, Any]:
    refund_id = f"re_{uuid.uuid4().hex[:12]}"
    charge = {"id": "ch_events", "object": "charge", "payment_intent": "pi_events",
              "amount_refunded": amount, "currency": currency,
              "refunds": {"data": [{"id": refund_id, "amount": amount}]}}  # fmt: skip
    event = intent_event("charge.refunded", "pi_events", deal.placement)
    event["data"] = {"object": charge}
    return event


def _subjects(deal: Deal) -> dict[str, str]:
    return {
        "placement": str(deal.placement.id),
        "company": str(deal.company.id),
        "recruiter": str(deal.recruiter.id),
    }


async def test_a_paid_notice_records_payment_status_changed_once(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    succeeded = intent_event("payment_intent.succeeded", "pi_events", deal.placement)
    unsigned = await deliver(hook, *signed(succeeded, secret="whsec_not_ours"))
    assert unsigned.status_code == 400
    assert await outbox() == []

    first = await deliver(hook, *signed(succeeded))
    again = await deliver(hook, *signed(succeeded))  # Stripe delivers twice
    later = intent_event("payment_intent.succeeded", "pi_events", deal.placement)
    stale = await deliver(hook, *signed(later))  # paid stays paid: nothing changes

    assert [r.json()["outcome"] for r in (first, again, stale)] == ["applied", "duplicate", "stale"]
    [event] = await outbox()
    assert event.type is EventType.PLACEMENT_PAYMENT_STATUS_CHANGED
    assert event.actor_sub == "stripe"
    assert event.subjects == _subjects(deal)
    assert event.changed_fields == ["payment_status"]


async def test_a_refund_notice_records_the_refund_and_the_new_status(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    paid = await deliver(hook, *signed(intent_event("payment_intent.succeeded", "pi_events",
                                                    deal.placement)))  # fmt: skip
    assert paid.json()["outcome"] == "applied"
    wrong_currency = await deliver(hook, *signed(_refund_event(deal, 500, currency="usd")))
    assert wrong_currency.json()["outcome"] == "mismatch"
    assert [e.type for e in await outbox()] == [EventType.PLACEMENT_PAYMENT_STATUS_CHANGED]

    refunded = await deliver(hook, *signed(_refund_event(deal, 500)))

    assert refunded.json()["outcome"] == "applied"
    events = await outbox()
    assert [e.type for e in events] == [
        EventType.PLACEMENT_PAYMENT_STATUS_CHANGED,
        EventType.PLACEMENT_PAYMENT_STATUS_CHANGED,
        EventType.PLACEMENT_REFUND_RECORDED,
    ]
    assert all(e.actor_sub == "stripe" and e.subjects == _subjects(deal) for e in events)
    assert events[2].changed_fields == ["refunds"]


async def test_paying_and_refunding_through_the_api_and_localstripe_record_each_change(
    served_app: httpx.AsyncClient, issuer: Issuer, localstripe: LocalStripeServer
) -> None:
    deal = await make_deal()
    admin, owner = issuer.admin_token(), issuer.token(OWNER)
    pay = {"placementId": deal.placement_gid}
    member = await mutate(served_app, "createPlacementFeePayment", pay, issuer.token(MEMBER))
    assert [e["code"] for e in member] == ["FORBIDDEN"]  # only owners and admins pay
    assert await outbox() == []

    secret = await start_payment(served_app, issuer, deal)
    assert await mutate(served_app, "createPlacementFeePayment", pay, owner) == []  # resumes
    await pay_with_card(localstripe, secret, "4242424242424242")
    await wait_for_status(deal, PaymentStatus.PAID)
    placement = deal.placement
    departure = placement.start_date + timedelta(days=30)
    await Placement.find_one({"_id": placement.id}).update(  # as recordPlacementDeparture leaves it
        {"$set": {"departure_date": departure.isoformat(),
                  "refund_due": Money(amount=1000, currency="EUR").model_dump()}})  # fmt: skip
    refused = await mutate(served_app, "refundPlacementFee", pay, owner)
    assert [e["code"] for e in refused] == ["FORBIDDEN"]
    assert await mutate(served_app, "refundPlacementFee", pay, admin) == []
    await asyncio.sleep(1)  # localstripe's own charge.refunded notice, if it sends one, lands

    events = await outbox()
    assert [(e.type, e.actor_sub) for e in events] == [
        (EventType.PLACEMENT_PAYMENT_STATUS_CHANGED, OWNER),  # unpaid -> processing
        (EventType.PLACEMENT_PAYMENT_STATUS_CHANGED, "stripe"),  # processing -> paid
        (EventType.PLACEMENT_PAYMENT_STATUS_CHANGED, "auth0|test-admin"),  # paid -> refunded
        (EventType.PLACEMENT_REFUND_RECORDED, "auth0|test-admin"),
    ]
    assert all(e.subjects == _subjects(deal) for e in events)
