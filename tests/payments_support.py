"""Shared pieces of the payments tests: a placement to pay, signed events, GraphQL calls."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import stripe

from crowdhire.models import Company, CompanyMember, Placement, Recruiter
from crowdhire.models.companies import MemberRole
from crowdhire.models.payments import PlacementPayment
from crowdhire.models.placements import PaymentStatus
from tests.conftest import STRIPE_TEST_WEBHOOK_SECRET
from tests.factories import (
    make_candidate,
    make_company,
    make_job,
    make_placement,
    make_recruiter,
    make_submission,
)
from tests.support import global_id

OWNER, MEMBER = "auth0|pay-owner", "auth0|pay-member"


@dataclass
class Deal:
    """A company (with an owner and a plain member), a recruiter and their placement."""

    company: Company
    recruiter: Recruiter
    placement: Placement

    @property
    def placement_gid(self) -> str:
        """The placement's API id."""
        return global_id("Placement", self.placement)


async def make_deal(**placement_fields: Any) -> Deal:
    """A placement ready to be paid, with the company's owner and member."""
    company = await make_company()
    await CompanyMember(company_id=company.id, sub=OWNER, role=MemberRole.OWNER).insert()
    await CompanyMember(company_id=company.id, sub=MEMBER, role=MemberRole.MEMBER).insert()
    recruiter = await make_recruiter()
    candidate = await make_candidate(recruiter)
    job = await make_job(company)
    submission = await make_submission(job, candidate)
    placement = await make_placement(submission, job, **placement_fields)
    return Deal(company, recruiter, placement)


PAY = """mutation($input: CreatePlacementFeePaymentInput!) {
  createPlacementFeePayment(input: $input) {
    placement { id paymentStatus payment { status amount { amount currency } } }
    clientSecret
    userErrors { field code message }
  }
}"""
REFUND = """mutation($input: RefundPlacementFeeInput!) {
  refundPlacementFee(input: $input) {
    placement { paymentStatus payment { status amountRefunded { amount }
                refunds { amount { amount currency } } } }
    userErrors { field code message }
  }
}"""
PAYMENT = """query($id: ID!) { node(id: $id) { ... on Placement {
  paymentStatus payment { status paidAt amount { amount currency } amountRefunded { amount }
                          refunds { amount { amount } } } } } }"""
EARNINGS = """query($id: ID!) { node(id: $id) { ... on Recruiter {
  earnings { currency pending earned reversed } } } }"""


def intent_event(
    kind: str, intent_id: str, placement: Placement, *, created: int | None = None, **fields: Any
) -> dict[str, Any]:
    """A Stripe event about a PaymentIntent for the placement's fee."""
    obj = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": placement.fee.amount,
        "amount_received": placement.fee.amount,
        "currency": placement.fee.currency.lower(),
        "metadata": {"placement_id": str(placement.id), "company_id": str(placement.company_id)},
        "status": "succeeded",
    } | fields
    return {
        "id": f"evt_{uuid.uuid4().hex[:20]}",
        "object": "event",
        "type": kind,
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
    }


def signed(
    event: dict[str, Any],
    *,
    secret: str = STRIPE_TEST_WEBHOOK_SECRET,
    timestamp: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers Stripe would send for `event`."""
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)
    return body.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}


async def deliver(
    client: httpx.AsyncClient, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    """POST one webhook delivery."""
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def known_intent(deal: Deal, intent_id: str) -> PlacementPayment:
    """The payment record createPlacementFeePayment leaves (for webhook-only tests)."""
    placement = deal.placement
    assert placement.id is not None
    payment = PlacementPayment(
        placement_id=placement.id,
        company_id=placement.company_id,
        recruiter_id=placement.recruiter_id,
        stripe_payment_intent_id=intent_id,
        amount=placement.fee.amount,
        currency=placement.fee.currency,
        recruiter_share=placement.recruiter_share.amount,
    )
    placement.payment_status = PaymentStatus.PROCESSING
    await placement.save()
    return await payment.insert()
