"""POST /webhooks/stripe: signatures, one effect per event id, a monotonic state machine, 503s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from crowdhire.dev.servers import MongodServer
from crowdhire.models import Placement
from crowdhire.models.payments import PlacementPayment, StripeEvent
from crowdhire.models.placements import PaymentStatus
from tests.conftest import STRIPE_TEST_WEBHOOK_SECRET, AppFactory
from tests.payments_support import Deal, deliver, intent_event, known_intent, make_deal, signed

ROTATED = "whsec_rotated_in_later"
SECRETS = SecretStr(f'["{STRIPE_TEST_WEBHOOK_SECRET}", "{ROTATED}"]')


@pytest.fixture
async def hook(app_factory: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The app (in-process) with two webhook secrets, as during a rotation."""
    async with app_factory(stripe_webhook_secret=SECRETS) as (_, client):
        yield client


@pytest.fixture
async def deal(hook: httpx.AsyncClient) -> Deal:
    """A placement whose PaymentIntent `pi_hook` the app created."""
    found = await make_deal()
    await known_intent(found, "pi_hook")
    return found


async def status_of(deal: Deal) -> PaymentStatus:
    """The placement's payment status as stored."""
    placement = await Placement.get(deal.placement.id)
    assert placement is not None
    return placement.payment_status


async def test_signed_succeeded_event_marks_the_placement_paid(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    event = intent_event("payment_intent.succeeded", "pi_hook", deal.placement)

    response = await deliver(hook, *signed(event))

    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "applied"}
    assert await status_of(deal) is PaymentStatus.PAID
    payment = await PlacementPayment.find_one({"stripe_payment_intent_id": "pi_hook"})
    assert payment is not None and payment.paid_at is not None


def _tamper(body: bytes) -> bytes:
    index = body.index(b'"amount_received": ') + len(b'"amount_received": ')
    return body[:index] + (b"2" if body[index : index + 1] != b"2" else b"3") + body[index + 1 :]


@pytest.mark.parametrize(
    "case", ["wrong secret", "no header", "garbage header", "one byte changed", "stale", "future"]
)
async def test_unverifiable_deliveries_are_refused_and_change_nothing(
    hook: httpx.AsyncClient, deal: Deal, case: str
) -> None:
    now = int(time.time())
    event = intent_event("payment_intent.succeeded", "pi_hook", deal.placement)
    body, headers = signed(event)
    if case == "wrong secret":
        body, headers = signed(event, secret="whsec_not_ours")
    elif case == "no header":
        del headers["Stripe-Signature"]
    elif case == "garbage header":
        headers["Stripe-Signature"] = "t=abc,v1=zz"
    elif case == "one byte changed":
        body = _tamper(body)
    elif case == "stale":
        body, headers = signed(event, timestamp=now - 301)
    elif case == "future":
        body, headers = signed(event, timestamp=now + 301)

    response = await deliver(hook, body, headers)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid signature"}
    assert await StripeEvent.find_all().count() == 0
    assert await status_of(deal) is PaymentStatus.PROCESSING


async def test_rotated_secret_and_several_v1_signatures_are_accepted(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    first = intent_event("payment_intent.processing", "pi_hook", deal.placement)
    body, headers = signed(first, secret=ROTATED)
    second = intent_event("payment_intent.succeeded", "pi_hook", deal.placement)
    body2, headers2 = signed(second)
    stamp, good = headers2["Stripe-Signature"].split(",")
    headers2["Stripe-Signature"] = f"{stamp},v1={'0' * 64},{good}"

    assert (await deliver(hook, body, headers)).status_code == 200
    assert (await deliver(hook, body2, headers2)).status_code == 200
    assert await status_of(deal) is PaymentStatus.PAID


async def test_the_same_event_delivered_concurrently_has_one_effect(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    event = intent_event("payment_intent.succeeded", "pi_hook", deal.placement)
    body, headers = signed(event)

    responses = await asyncio.gather(*(deliver(hook, body, headers) for _ in range(6)))

    assert [r.status_code for r in responses] == [200] * 6
    outcomes = sorted(r.json()["outcome"] for r in responses)
    assert outcomes == ["applied"] + ["duplicate"] * 5
    assert await StripeEvent.find({"event_id": event["id"]}).count() == 1
    assert await status_of(deal) is PaymentStatus.PAID


async def test_out_of_order_events_never_move_a_paid_placement_back(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    now = int(time.time())
    succeeded = intent_event("payment_intent.succeeded", "pi_hook", deal.placement, created=now)
    late = [
        intent_event("payment_intent.payment_failed", "pi_hook", deal.placement, created=now + 5),
        intent_event("payment_intent.processing", "pi_hook", deal.placement, created=now - 5),
    ]

    await deliver(hook, *signed(succeeded))
    payment = await PlacementPayment.find_one({"stripe_payment_intent_id": "pi_hook"})
    answers = [await deliver(hook, *signed(event)) for event in late]

    assert [a.json()["outcome"] for a in answers] == ["stale", "stale"]
    assert await status_of(deal) is PaymentStatus.PAID
    again = await PlacementPayment.find_one({"stripe_payment_intent_id": "pi_hook"})
    assert payment is not None and again is not None
    assert again.status is PaymentStatus.PAID and again.paid_at == payment.paid_at


async def test_an_older_processing_event_does_not_undo_a_newer_failure(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    now = int(time.time())
    failed = intent_event("payment_intent.payment_failed", "pi_hook", deal.placement, created=now)
    older = intent_event("payment_intent.processing", "pi_hook", deal.placement, created=now - 60)

    await deliver(hook, *signed(failed))
    answer = await deliver(hook, *signed(older))

    assert answer.json()["outcome"] == "stale"
    assert await status_of(deal) is PaymentStatus.FAILED


async def test_a_succeeded_event_with_another_amount_does_not_pay_the_fee(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    event = intent_event("payment_intent.succeeded", "pi_hook", deal.placement,
                         amount=1, amount_received=1)  # fmt: skip

    answer = await deliver(hook, *signed(event))

    assert answer.status_code == 200 and answer.json()["outcome"] == "mismatch"
    assert await status_of(deal) is PaymentStatus.PROCESSING


async def test_unknown_event_types_and_unknown_intents_answer_200(
    hook: httpx.AsyncClient, deal: Deal
) -> None:
    unknown_type = intent_event("customer.created", "cus_123", deal.placement)
    unknown_intent = intent_event("payment_intent.succeeded", "pi_someone_else", deal.placement)

    first = await deliver(hook, *signed(unknown_type))
    second = await deliver(hook, *signed(unknown_intent))

    assert (first.status_code, first.json()["outcome"]) == (200, "unhandled")
    assert (second.status_code, second.json()["outcome"]) == (200, "unknown")
    assert await status_of(deal) is PaymentStatus.PROCESSING


async def test_without_a_configured_secret_deliveries_wait_for_a_retry(
    app_factory: AppFactory,
) -> None:
    async with app_factory(stripe_webhook_secret=None) as (_, client):
        deal = await make_deal()
        body, headers = signed(intent_event("payment_intent.succeeded", "pi_x", deal.placement))
        response = await deliver(client, body, headers)

    assert response.status_code == 503


async def test_mongodb_down_answers_503_and_the_redelivery_applies(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    with MongodServer(tmp_path / "mongo") as mongod:
        async with app_factory(mongodb_uri=mongod.uri, stripe_webhook_secret=SECRETS) as (_, hook):
            deal = await make_deal()
            await known_intent(deal, "pi_down")
            delivery = signed(intent_event("payment_intent.succeeded", "pi_down", deal.placement))
            mongod.stop()
            during = await deliver(hook, *delivery)
            mongod.start()
            after = await deliver(hook, *delivery)
            paid = await status_of(deal)

    assert during.status_code == 503
    assert during.json() == {"error": "temporarily unavailable"}
    assert after.status_code == 200 and after.json()["outcome"] == "applied"
    assert paid is PaymentStatus.PAID
