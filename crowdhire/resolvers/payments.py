"""Placement fee payments: start one (PaymentIntent), refund a departure, read payments, earnings.

Stripe calls run inside the mutation's transaction, after a write that claims the placement's
payment record: a concurrent twin hits a write conflict and is retried by the transaction after
the first commits, so it finds the intent instead of creating another. Idempotency keys derived
from the placement and attempt make Stripe itself return the same intent or refund on a retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from beanie import SortDirection
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError
from strawberry.dataloader import DataLoader

from crowdhire.context import Context
from crowdhire.events.payments import record_payment_change
from crowdhire.loaders.base import CachedKind
from crowdhire.loaders.payments import Earnings
from crowdhire.models.common import utcnow
from crowdhire.models.companies import Company
from crowdhire.models.payments import PlacementPayment, RefundRecord
from crowdhire.models.placements import PaymentStatus, Placement
from crowdhire.models.recruiters import Recruiter
from crowdhire.payments.gateway import (
    Intent,
    PaymentProviderError,
    PaymentsNotConfiguredError,
    StripeGateway,
    gateway_of,
)
from crowdhire.resolvers.access import ensure_is_self_or_admin
from crowdhire.resolvers.events import actor_of
from crowdhire.resolvers.transactions import MutationRefused, Outcome, audit, refuse, run_mutation

PATH = ("placementId",)
SETTLED = (PaymentStatus.PAID, PaymentStatus.REFUNDED)


@dataclass
class PaymentStart:
    """createPlacementFeePayment's outcome, plus the client secret for a paying member."""

    outcome: Outcome
    client_secret: str | None = None


def _gateway(context: Context) -> StripeGateway:
    try:
        return gateway_of(context.request)
    except PaymentsNotConfiguredError:
        raise refuse(PATH, "PAYMENTS_UNAVAILABLE", "Payments are not available right now") from None


def _provider_failed() -> MutationRefused:
    return refuse(PATH, "PAYMENT_PROVIDER_ERROR", "The payment provider did not answer; try again")


async def _placement_for(
    context: Context, placement_id: ObjectId, session: AsyncClientSession, *, admin_only: bool
) -> Placement:
    viewer = context.viewer
    if viewer.is_anonymous:
        raise refuse((), "UNAUTHENTICATED", "Sign in to manage placement fees")
    placement = await Placement.find_one({"_id": placement_id}, session=session)
    allowed = viewer.is_admin or (
        not admin_only and placement is not None and viewer.is_owner_of(placement.company_id)
    )
    if not allowed:  # the same answer for missing placements: no existence oracle
        who = "Only admins" if admin_only else "Only the hiring company's owners"
        raise refuse(PATH, "FORBIDDEN", f"{who} may do this")
    if placement is None:
        raise refuse(PATH, "NOT_FOUND", "No such placement")
    return placement


async def _latest(placement_id: ObjectId, session: AsyncClientSession) -> PlacementPayment | None:
    found = (
        await PlacementPayment.find({"placement_id": placement_id}, session=session)
        .sort(("attempt", SortDirection.DESCENDING))
        .first_or_none()
    )
    return found


async def _customer(
    gateway: StripeGateway, company_id: ObjectId, session: AsyncClientSession
) -> tuple[str, bool]:
    """The company's Stripe customer id, created on the first charge; True when created now."""
    company = await Company.find_one({"_id": company_id}, session=session)
    if company is None:
        raise refuse(PATH, "NOT_FOUND", "No such placement")
    if company.stripe_customer_id:
        return company.stripe_customer_id, False
    customer = await gateway.create_customer(str(company_id), company.name)
    await Company.get_pymongo_collection().update_one(
        {"_id": company_id}, {"$set": {"stripe_customer_id": customer}}, session=session
    )
    return customer, True


async def _claim(placement: Placement, session: AsyncClientSession) -> PlacementPayment:
    """The current attempt's record, written first so concurrent twins conflict here."""
    payment = await _latest(placement.id, session)  # type: ignore[arg-type]
    if payment is None:
        payment = _new_payment(placement, attempt=1)
        await payment.insert(session=session)
    else:
        payment.updated_at = utcnow()
        await payment.save(session=session)
    return payment


def _new_payment(placement: Placement, attempt: int) -> PlacementPayment:
    assert placement.id is not None
    return PlacementPayment(
        placement_id=placement.id,
        company_id=placement.company_id,
        recruiter_id=placement.recruiter_id,
        attempt=attempt,
        amount=placement.fee.amount,
        currency=placement.fee.currency,
        recruiter_share=placement.recruiter_share.amount,
    )


async def _usable_intent(gateway: StripeGateway, payment: PlacementPayment) -> Intent | None:
    """The attempt's existing intent, unless Stripe lost it or it was canceled."""
    if payment.stripe_payment_intent_id is None:
        return None
    try:
        intent = await gateway.retrieve_intent(payment.stripe_payment_intent_id)
    except PaymentProviderError as error:
        if error.is_missing:
            return None
        raise
    return None if intent.status == "canceled" else intent


async def create_placement_fee_payment(
    context: Context, placement_id: ObjectId, client_mutation_id: str | None
) -> PaymentStart:
    """Owners and admins start (or resume) paying a placement's fee; the amount is the fee."""
    start = PaymentStart(Outcome())

    async def action(session: AsyncClientSession) -> Outcome:
        placement = await _placement_for(context, placement_id, session, admin_only=False)
        if placement.payment_status in SETTLED:
            raise refuse(PATH, "ALREADY_PAID", "This placement's fee is already paid")
        if placement.fee.amount <= 0:
            raise refuse(PATH, "NOTHING_TO_PAY", "This placement has no fee to pay")
        gateway = _gateway(context)
        try:
            payment = await _claim(placement, session)
            intent = await _usable_intent(gateway, payment)
            if intent is None and payment.stripe_payment_intent_id is not None:
                payment = _new_payment(placement, payment.attempt + 1)
                await payment.insert(session=session)
            customer_created = False
            if intent is None:
                customer, customer_created = await _customer(gateway, placement.company_id, session)
                intent = await gateway.create_intent(
                    amount=payment.amount,
                    currency=payment.currency,
                    customer=customer,
                    metadata={
                        "placement_id": str(placement_id),
                        "company_id": str(placement.company_id),
                        "attempt": str(payment.attempt),
                    },
                    key=f"crowdhire-placement-fee-{placement_id}-{payment.attempt}",
                )
        except PaymentProviderError:
            raise _provider_failed() from None
        except DuplicateKeyError:
            raise refuse(
                PATH, "PAYMENT_IN_PROGRESS", "This payment is being started; repeat the request"
            ) from None
        payment.stripe_payment_intent_id = intent.id
        if payment.status is not PaymentStatus.PAID:
            # status_event_at stays: it orders Stripe's events (whole seconds), not our requests
            payment.status = PaymentStatus.PROCESSING
        await payment.save(session=session)
        await Placement.get_pymongo_collection().update_one(
            {"_id": placement_id, "payment_status": {"$nin": [s.value for s in SETTLED]}},
            {"$set": {"payment_status": PaymentStatus.PROCESSING.value}},
            session=session,
        )
        refunds = len(payment.refunds)
        await record_payment_change(
            session, actor_of(context), payment, placement.payment_status, refunds
        )
        await audit(
            context,
            session,
            "createPlacementFeePayment",
            {"placement": placement_id, "payment": payment.id},
            ["paymentStatus", "stripePaymentIntentId"],
        )
        paying_member = context.viewer.is_member_of(placement.company_id)
        start.client_secret = intent.client_secret if paying_member else None
        forget: list[tuple[CachedKind, ObjectId | str]] = [(CachedKind.PLACEMENTS, placement_id)]
        if customer_created:
            forget.append((CachedKind.COMPANIES, placement.company_id))
        return Outcome(ids={"placement": str(placement_id)}, forget=forget)

    data = {"placementId": str(placement_id)}
    start.outcome = await run_mutation(
        context, "createPlacementFeePayment", data, action, client_mutation_id
    )
    if start.outcome.errors:
        start.client_secret = None
    elif start.client_secret is None:  # a clientMutationId replay: the action did not run
        start.client_secret = await _replayed_secret(context, placement_id)
    return start


async def _replayed_secret(context: Context, placement_id: ObjectId) -> str | None:
    payment = (
        await PlacementPayment.find({"placement_id": placement_id})
        .sort(("attempt", SortDirection.DESCENDING))
        .first_or_none()
    )
    if payment is None or payment.stripe_payment_intent_id is None:
        return None
    if not context.viewer.is_member_of(payment.company_id):
        return None
    try:
        intent = await gateway_of(context.request).retrieve_intent(payment.stripe_payment_intent_id)
    except (PaymentProviderError, PaymentsNotConfiguredError):
        return None
    return intent.client_secret


async def refund_placement_fee(
    context: Context, placement_id: ObjectId, client_mutation_id: str | None
) -> Outcome:
    """Admins refund the prorated fee of a departure recorded inside the guarantee period."""

    async def action(session: AsyncClientSession) -> Outcome:
        placement = await _placement_for(context, placement_id, session, admin_only=True)
        # `departure_date` / `refund_due` come from recordPlacementDeparture (workflow issue)
        due, departure = placement.refund_due, placement.departure_date
        if due is None or departure is None or departure > placement.guarantee_end_date:
            raise refuse(PATH, "NO_DEPARTURE", "No departure inside the guarantee is recorded")
        payment = await _latest(placement_id, session)
        if payment is None or payment.stripe_payment_intent_id is None or payment.paid_at is None:
            raise refuse(PATH, "NOT_PAID", "The fee has not been paid, so nothing can be refunded")
        if payment.amount_refunded > 0:
            raise refuse(PATH, "ALREADY_REFUNDED", "This placement's fee was already refunded")
        if due.amount <= 0:
            raise refuse(PATH, "NOTHING_TO_REFUND", "The departure leaves nothing to refund")
        if due.currency != payment.currency or due.amount > payment.amount:
            raise refuse(PATH, "REFUND_EXCEEDS_PAYMENT", "The refund due exceeds what was paid")
        payment.updated_at = utcnow()
        await payment.save(session=session)  # claim first: a concurrent twin conflicts here
        try:
            refund_id = await _gateway(context).create_refund(
                payment_intent=payment.stripe_payment_intent_id,
                amount=due.amount,
                metadata={"placement_id": str(placement_id)},
                key=f"crowdhire-placement-refund-{placement_id}-{payment.attempt}",
            )
        except PaymentProviderError:
            raise _provider_failed() from None
        share = due.amount * payment.recruiter_share // payment.amount
        payment.refunds.append(
            RefundRecord(stripe_refund_id=refund_id, amount=due.amount, recruiter_share=share)
        )
        payment.amount_refunded = due.amount
        payment.status, payment.status_event_at = PaymentStatus.REFUNDED, utcnow()
        await payment.save(session=session)
        await Placement.get_pymongo_collection().update_one(
            {"_id": placement_id},
            {"$set": {"payment_status": PaymentStatus.REFUNDED.value}},
            session=session,
        )
        refunds = len(payment.refunds) - 1  # the one appended above is new
        await record_payment_change(
            session, actor_of(context), payment, placement.payment_status, refunds
        )
        await audit(
            context,
            session,
            "refundPlacementFee",
            {"placement": placement_id, "payment": payment.id},
            ["paymentStatus", "refunds"],
        )
        return Outcome(
            ids={"placement": str(placement_id)}, forget=[(CachedKind.PLACEMENTS, placement_id)]
        )

    data = {"placementId": str(placement_id)}
    return await run_mutation(context, "refundPlacementFee", data, action, client_mutation_id)


# Reads: a placement's payment, a recruiter's earnings


@dataclass(frozen=True)
class PaymentView:
    """What `Placement.payment` shows (the fee itself when no payment was started)."""

    status: PaymentStatus
    amount: int
    currency: str
    paid_at: datetime | None
    amount_refunded: int
    refunds: tuple[RefundRecord, ...]


async def _latest_payments(placement_ids: list[ObjectId]) -> list[PlacementPayment | None]:
    found = await PlacementPayment.find({"placement_id": {"$in": placement_ids}}).to_list()
    latest: dict[ObjectId, PlacementPayment] = {}
    for payment in found:
        kept = latest.get(payment.placement_id)
        if kept is None or payment.attempt > kept.attempt:
            latest[payment.placement_id] = payment
    return [latest.get(placement_id) for placement_id in placement_ids]


def _payment_loader(context: Context) -> DataLoader[ObjectId, PlacementPayment | None]:
    """One batched payments query per request (kept on the request's state)."""
    state = context.request.state if context.request is not None else None
    loader = getattr(state, "placement_payments", None) if state is not None else None
    if loader is None:
        loader = DataLoader(load_fn=_latest_payments)
        if state is not None:
            state.placement_payments = loader
    return cast(DataLoader[ObjectId, PlacementPayment | None], loader)


async def payment_of(context: Context, placement: Placement) -> PaymentView:
    """The placement's payment; visible to whoever may see the placement."""
    assert placement.id is not None
    payment = await _payment_loader(context).load(placement.id)
    if payment is None:
        return PaymentView(
            placement.payment_status, placement.fee.amount, placement.fee.currency, None, 0, ()
        )
    return PaymentView(
        placement.payment_status,
        payment.amount,
        payment.currency,
        payment.paid_at,
        payment.amount_refunded,
        tuple(payment.refunds),
    )


async def recruiter_earnings(context: Context, recruiter: Recruiter) -> list[Earnings]:
    """Pending, earned and reversed shares per currency (the recruiter and admins only)."""
    ensure_is_self_or_admin(context.viewer, recruiter, "earnings")
    assert recruiter.id is not None
    return await context.loaders.earnings_by_recruiter_id.load(recruiter.id)
