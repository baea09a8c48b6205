"""Payment events from Stripe's signed notices (actor `stripe`): none for refused deliveries."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from crowdhire.models.events import EventType
from tests.conftest import STRIPE_TEST_WEBHOOK_SECRET, AppFactory
from tests.events_support import outbox
from tests.payments_support import Deal, deliver, intent_event, known_intent, make_deal, signed


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
