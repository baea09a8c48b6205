"""Events of a placement's fee payment: a new payment status, a refund recorded.

Stripe's notices, starting a payment and refunding a departure all change a payment in
memory first; comparing it with what it was says which events the change makes.
"""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from crowdhire.events.outbox import record_event
from crowdhire.events.subjects import payment_subjects
from crowdhire.models.events import EventType
from crowdhire.models.payments import PlacementPayment
from crowdhire.models.placements import PaymentStatus


async def record_payment_change(
    session: AsyncClientSession,
    actor_sub: str,
    payment: PlacementPayment,
    status_before: PaymentStatus,
    refunds_before: int,
) -> None:
    """The events `payment` earns against its state before (none when nothing changed)."""
    subjects = payment_subjects(payment)
    if payment.status is not status_before:
        await record_event(
            session, EventType.PLACEMENT_PAYMENT_STATUS_CHANGED, actor_sub, subjects,
            ["payment_status"],
        )  # fmt: skip
    if len(payment.refunds) > refunds_before:
        await record_event(
            session, EventType.PLACEMENT_REFUND_RECORDED, actor_sub, subjects, ["refunds"]
        )
