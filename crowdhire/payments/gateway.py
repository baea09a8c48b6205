"""The Stripe API as crowdhire uses it: the official SDK's async client, timed and counted.

Every call goes through `StripeGateway._call`, which bounds it in time, counts it as an external
call to target "stripe" and turns SDK errors into `PaymentProviderError`, whose message names the
operation, the error class, the HTTP status and Stripe's code, never the key or a client secret.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import stripe
from pydantic import SecretStr
from starlette.requests import Request

from crowdhire.observability.stats import observed_call
from crowdhire.settings import Settings

log = logging.getLogger("crowdhire.payments")
T = TypeVar("T")

# The SDK's own request log lines are not needed and would only add noise.
logging.getLogger("stripe").setLevel(logging.WARNING)


class PaymentProviderError(Exception):
    """Stripe failed or refused a call; the message is safe to log and never holds secrets."""

    def __init__(self, operation: str, kind: str, status: int | None, code: str | None) -> None:
        super().__init__(f"Stripe {operation} failed: {kind} (HTTP {status}, code {code})")
        self.operation, self.kind, self.status, self.code = operation, kind, status, code

    @property
    def is_missing(self) -> bool:
        """Stripe does not know the object (e.g. a dev localstripe restarted from scratch)."""
        return self.status == 404


class PaymentsNotConfiguredError(Exception):
    """STRIPE_API_KEY is not set, so no payment can be started."""


@dataclass(frozen=True)
class Intent:
    """The parts of a PaymentIntent crowdhire reads."""

    id: str
    status: str
    amount: int
    currency: str  # upper-case ISO code, as crowdhire stores money
    metadata: dict[str, str]
    latest_charge: str | None
    client_secret: str | None = field(default=None, repr=False)


def _intent(resource: Any) -> Intent:
    obj = resource.to_dict()
    charge = obj.get("latest_charge")
    return Intent(
        id=str(obj["id"]),
        status=str(obj["status"]),
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
        metadata={str(k): str(v) for k, v in dict(obj.get("metadata") or {}).items()},
        latest_charge=charge if isinstance(charge, str) else (charge or {}).get("id"),
        client_secret=obj.get("client_secret"),
    )


class StripeGateway:
    """Customers, PaymentIntents and Refunds through one `stripe.StripeClient`."""

    def __init__(self, api_key: str, api_base: str, timeout_seconds: float) -> None:
        self._http = stripe.HTTPXClient(timeout=timeout_seconds)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base.rstrip("/")},
            http_client=self._http,
            max_network_retries=1,  # safe: every POST carries an idempotency key
        )
        # one retry with back-off fits inside this bound; a hung Stripe never holds a request
        self._deadline = timeout_seconds * 2 + 2

    async def _call(self, operation: str, run: Callable[[], Awaitable[T]]) -> T:
        try:
            with observed_call("stripe"):
                async with asyncio.timeout(self._deadline):
                    return await run()
        except stripe.StripeError as error:
            failure = PaymentProviderError(
                operation, type(error).__name__, error.http_status, error.code
            )
        except TimeoutError:
            failure = PaymentProviderError(operation, "Timeout", None, None)
        log.warning("%s", failure)
        raise failure

    async def create_customer(self, company_id: str, name: str) -> str:
        """A Stripe customer for a company (one per company, thanks to the idempotency key)."""
        params: Any = {"name": name, "metadata": {"company_id": company_id}}
        options: Any = {"idempotency_key": f"crowdhire-customer-{company_id}"}
        customer = await self._call(
            "customers.create", lambda: self._client.v1.customers.create_async(params, options)
        )
        return str(customer.id)

    async def create_intent(
        self, *, amount: int, currency: str, customer: str, metadata: dict[str, str], key: str
    ) -> Intent:
        """A card PaymentIntent for exactly `amount`; the same `key` returns the same intent."""
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": customer,
            "metadata": metadata,
            "payment_method_types": ["card"],
        }
        options: Any = {"idempotency_key": key}
        created = await self._call(
            "payment_intents.create",
            lambda: self._client.v1.payment_intents.create_async(params, options),
        )
        return _intent(created)

    async def retrieve_intent(self, intent_id: str) -> Intent:
        """The current state of a PaymentIntent."""
        found = await self._call(
            "payment_intents.retrieve",
            lambda: self._client.v1.payment_intents.retrieve_async(intent_id),
        )
        return _intent(found)

    async def create_refund(
        self, *, payment_intent: str, amount: int, metadata: dict[str, str], key: str
    ) -> str:
        """Refund `amount` of a succeeded PaymentIntent; returns the Refund id."""
        params: Any = {"payment_intent": payment_intent, "amount": amount, "metadata": metadata}
        options: Any = {"idempotency_key": key}
        refund = await self._call(
            "refunds.create", lambda: self._client.v1.refunds.create_async(params, options)
        )
        return str(refund.id)

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.close_async()  # type: ignore[no-untyped-call]


def build_gateway(settings: Settings) -> StripeGateway | None:
    """The gateway when STRIPE_API_KEY is set, else None (payments then answer unavailable)."""
    raw: Any = settings.stripe_api_key
    if raw is None:
        return None
    # model_copy(update=...) skips validation, so a plain str may arrive here too
    return StripeGateway(
        raw.get_secret_value() if isinstance(raw, SecretStr) else str(raw),
        settings.stripe_api_base,
        settings.stripe_timeout_seconds,
    )


GATEWAY_STATE = "stripe_gateway"


def gateway_of(request: Request | None) -> StripeGateway:
    """The gateway the app's lifespan opened (`app.state.stripe_gateway`)."""
    gateway = getattr(request.app.state, GATEWAY_STATE, None) if request is not None else None
    if not isinstance(gateway, StripeGateway):
        raise PaymentsNotConfiguredError("payments are not configured (STRIPE_API_KEY)")
    return gateway
