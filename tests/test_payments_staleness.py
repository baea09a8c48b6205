"""The payment mutations leave no stale cached answer (the app under uvicorn, with localstripe).

The other mutations are covered by tests/test_cache_staleness.py, which lists these two.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from crowdhire.dev.stripe import LocalStripeServer
from crowdhire.models import Placement
from crowdhire.models.common import Money
from crowdhire.models.placements import PaymentStatus, prorated_refund
from tests.auth_support import Issuer
from tests.cache_staleness_support import AUDIT
from tests.conftest import AppFactory
from tests.payments_support import OWNER, PAYMENT, REFUND, Deal, make_deal
from tests.staleness_checks import Reads, check_answers, store_answers
from tests.support import gql
from tests.test_payments import pay_with_card, start_payment, wait_for_status


def _reads(deal: Deal, issuer: Issuer) -> Reads:
    return [
        (PAYMENT, {"id": deal.placement_gid}, issuer.token(OWNER)),
        (AUDIT, {}, issuer.admin_token()),
    ]


async def test_starting_a_payment_leaves_no_stale_answer(
    served_app: httpx.AsyncClient, app_factory: AppFactory, issuer: Issuer
) -> None:
    deal = await make_deal()
    reads = _reads(deal, issuer)
    before = await store_answers(served_app, reads)
    await start_payment(served_app, issuer, deal)
    assert await check_answers(served_app, app_factory, reads, before) == [True, True]


async def test_a_refund_leaves_no_stale_answer(
    served_app: httpx.AsyncClient,
    app_factory: AppFactory,
    issuer: Issuer,
    localstripe: LocalStripeServer,
) -> None:
    deal = await make_deal()
    await pay_with_card(
        localstripe, await start_payment(served_app, issuer, deal), "4242424242424242"
    )
    await wait_for_status(deal, PaymentStatus.PAID)
    placement = deal.placement
    departure = placement.start_date + timedelta(days=30)
    due = prorated_refund(placement.fee.amount, placement.start_date,
                          placement.guarantee_end_date, departure)  # fmt: skip
    await Placement.find_one({"_id": placement.id}).update(  # as recordPlacementDeparture leaves it
        {"$set": {"departure_date": departure.isoformat(),
                  "refund_due": Money(amount=due, currency="EUR").model_dump()}})  # fmt: skip
    reads = _reads(deal, issuer)
    before = await store_answers(served_app, reads)
    refund = {"input": {"placementId": deal.placement_gid}}
    refunded = await gql(served_app, REFUND, refund, as_=issuer.admin_token())
    assert refunded["data"]["refundPlacementFee"]["userErrors"] == []
    assert await check_answers(served_app, app_factory, reads, before) == [True, True]
