"""Verifying Stripe's `Stripe-Signature` header over the raw request body."""

from __future__ import annotations

import time
from collections.abc import Sequence

import stripe

TOLERANCE_SECONDS = 300


class InvalidSignatureError(Exception):
    """The webhook is not provably from Stripe, or not recent; `reason` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _timestamp(header: str) -> int | None:
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def verify_signature(
    payload: bytes,
    header: str | None,
    secrets: Sequence[str],
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Accept when any `v1` signature matches any secret and `t` is within ±tolerance of now."""
    if not header:
        raise InvalidSignatureError("missing Stripe-Signature header")
    timestamp = _timestamp(header)
    if timestamp is None:
        raise InvalidSignatureError("no timestamp in Stripe-Signature header")
    current = time.time() if now is None else now
    # the SDK only refuses old timestamps; a future one is as suspicious (replays, clock abuse)
    if timestamp > current + tolerance:
        raise InvalidSignatureError("timestamp too far in the future")
    if timestamp < current - tolerance:
        raise InvalidSignatureError("timestamp outside the tolerance")
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
            continue
        return
    raise InvalidSignatureError("no signature matches a configured secret")
