"""Applying verified Stripe events to placement payments: once per event id, never backwards.

Each event is stored with a unique id in the same transaction as its effect, so a duplicate
delivery, even a concurrent one, loses the unique-key race and changes nothing. The state machine
(`models.payments.STATUS_RANK`) only moves a payment up: paid never goes back to processing or
failed; processing and failed, which can alternate while a company retries, follow event time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from crowdhire.events.payments import record_payment_change
from crowdhire.models.common import utcnow
from crowdhire.models.payments import STATUS_RANK, PlacementPayment, RefundRecord, StripeEvent
from crowdhire.models.placements import PaymentStatus, Placement

log = logging.getLogger("crowdhire.payments")
STRIPE_ACTOR = "stripe"  # the actor of the events Stripe's notices cause

INTENT_TARGETS = {
    "payment_intent.succeeded": PaymentStatus.PAID,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.processing": PaymentStatus.PROCESSING,
}
HANDLED_TYPES = frozenset({*INTENT_TARGETS, "charge.refunded"})


@dataclass(frozen=True)
class ParsedEvent:
    """The fields of a Stripe event crowdhire reads."""

    id: str
    type: str
    created: datetime
    obj: dict[str, Any]

    @property
    def payment_intent_id(self) -> str | None:
        """The PaymentIntent the event is about."""
        value = (
            self.obj.get("id") if self.type in INTENT_TARGETS else self.obj.get("payment_intent")
        )
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class EventResult:
    """What applying an event did, and which placement's cache entry to forget."""

    outcome: str
    placement_id: ObjectId | None = None


def parse_event(payload: bytes) -> ParsedEvent:
    """The event in a verified body; ValueError when it is not a Stripe event."""
    data = orjson.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    event_id, kind, created = data.get("id"), data.get("type"), data.get("created")
    obj = (data.get("data") or {}).get("object") if isinstance(data.get("data"), dict) else None
    if not (isinstance(event_id, str) and isinstance(kind, str) and isinstance(created, int)):
        raise ValueError("missing id, type or created")
    if not isinstance(obj, dict):
        raise ValueError("missing data.object")
    return ParsedEvent(event_id, kind, datetime.fromtimestamp(created, UTC), obj)


async def apply_event(event: ParsedEvent) -> EventResult:
    """Store the event and apply it in one transaction; a duplicate is reported, not re-applied."""
    client = StripeEvent.get_pymongo_collection().database.client
    try:
        async with client.start_session() as session:

            async def body(session: AsyncClientSession) -> EventResult:
                return await _apply(event, session)

            result: EventResult = await session.with_transaction(body)
            return result
    except DuplicateKeyError:
        return EventResult("duplicate")


async def _apply(event: ParsedEvent, session: AsyncClientSession) -> EventResult:
    intent_id = event.payment_intent_id
    payment = None
    if intent_id is not None:
        payment = await PlacementPayment.find_one(
            {"stripe_payment_intent_id": intent_id}, session=session
        )
    before = (payment.status, len(payment.refunds)) if payment is not None else None
    outcome = "unknown" if payment is None else _decide(event, payment)
    record = StripeEvent(
        event_id=event.id,
        type=event.type,
        stripe_created_at=event.created,
        payment_intent_id=intent_id,
        outcome=outcome,
    )
    await record.insert(session=session)
    if payment is None or outcome != "applied":
        if outcome != "applied":
            log.info("stripe event %s (%s): %s", event.id, event.type, outcome)
        return EventResult(outcome)
    payment.updated_at = utcnow()
    await payment.save(session=session)
    await Placement.get_pymongo_collection().update_one(
        {"_id": payment.placement_id},
        {"$set": {"payment_status": payment.status.value}},
        session=session,
    )
    assert before is not None
    await record_payment_change(session, STRIPE_ACTOR, payment, *before)
    return EventResult(outcome, payment.placement_id)


def _decide(event: ParsedEvent, payment: PlacementPayment) -> str:
    """Change `payment` in memory as the event demands; return the outcome."""
    if event.type == "charge.refunded":
        return _refunded(event, payment)
    target = INTENT_TARGETS[event.type]
    if event.obj.get("metadata", {}).get("placement_id") != str(payment.placement_id):
        return "mismatch"
    if target is PaymentStatus.PAID and not _amount_matches(event.obj, payment):
        log.warning("stripe event %s: amount or currency differs from the fee", event.id)
        return "mismatch"
    if not _may_move(payment, target, event.created):
        return "stale"
    payment.status, payment.status_event_at = target, event.created
    if target is PaymentStatus.PAID:
        payment.paid_at = event.created
    return "applied"


def _may_move(payment: PlacementPayment, target: PaymentStatus, at: datetime) -> bool:
    current, wanted = STATUS_RANK[payment.status], STATUS_RANK[target]
    if wanted != current:
        return wanted > current
    if target is payment.status and target is not PaymentStatus.FAILED:
        return False  # already there (paid stays paid with its first paid_at)
    return payment.status_event_at is None or at >= payment.status_event_at


def _amount_matches(intent: dict[str, Any], payment: PlacementPayment) -> bool:
    received = intent.get("amount_received", intent.get("amount"))
    currency = str(intent.get("currency", "")).upper()
    return received == payment.amount and currency == payment.currency


def _refunded(event: ParsedEvent, payment: PlacementPayment) -> str:
    charge = event.obj
    total = charge.get("amount_refunded")
    if not isinstance(total, int) or str(charge.get("currency", "")).upper() != payment.currency:
        return "mismatch"
    before = (payment.status, payment.amount_refunded, len(payment.refunds))
    known = {refund.stripe_refund_id for refund in payment.refunds}
    for item in (charge.get("refunds") or {}).get("data") or []:
        amount = item.get("amount") if isinstance(item, dict) else None
        if isinstance(amount, int) and item.get("id") not in known:
            _add_refund(payment, str(item["id"]), amount)
    recorded = sum(refund.amount for refund in payment.refunds)
    if total > recorded:  # refunded outside crowdhire without a listed refund object
        _add_refund(payment, f"{charge.get('id')}:{event.id}", total - recorded)
    payment.amount_refunded = max(total, recorded, payment.amount_refunded)
    if payment.paid_at is None:
        payment.paid_at = event.created  # a refund implies the charge succeeded
    payment.status = PaymentStatus.REFUNDED
    if (payment.status, payment.amount_refunded, len(payment.refunds)) == before:
        return "ignored"
    payment.status_event_at = event.created
    return "applied"


def _add_refund(payment: PlacementPayment, refund_id: str, amount: int) -> None:
    share = amount * payment.recruiter_share // payment.amount
    payment.refunds.append(
        RefundRecord(stripe_refund_id=refund_id, amount=amount, recruiter_share=share)
    )
