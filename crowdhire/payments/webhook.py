"""`POST /webhooks/stripe`: verify, store once, apply; 400 if unverifiable, 503 if MongoDB is out.

Stripe retries any non-2xx answer for days, so a MongoDB outage answers 503 within a bounded time
(`DB_TIMEOUT_SECONDS`) instead of hanging, and the event is applied when it is delivered again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pymongo
from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from crowdhire.cache import ObjectCache
from crowdhire.loaders.base import CachedKind, object_key
from crowdhire.payments.events import HANDLED_TYPES, apply_event, parse_event
from crowdhire.payments.signatures import InvalidSignatureError, verify_signature
from crowdhire.settings import Settings

log = logging.getLogger("crowdhire.payments")

DB_TIMEOUT_SECONDS = 2.0
MAX_BODY_BYTES = 512 * 1024  # Stripe's events are far smaller


def _unavailable(reason: str) -> Response:
    return JSONResponse({"error": reason}, 503, headers={"Retry-After": "10"})


async def _read_body(request: Request) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def stripe_webhook(request: Request) -> Response:
    """Receive one Stripe event (see the module docstring for the answers)."""
    services: Any = request.app.state.services
    settings: Settings = services.settings
    cache: ObjectCache = services.cache
    secrets = settings.stripe_webhook_secrets
    if not secrets:
        log.error("stripe webhook refused: STRIPE_WEBHOOK_SECRET is not set")
        return _unavailable("webhook not configured")
    body = await _read_body(request)
    if body is None:
        return JSONResponse({"error": "body too large"}, 413)
    try:
        verify_signature(body, request.headers.get("stripe-signature"), secrets)
        event = parse_event(body)
    except InvalidSignatureError as error:
        log.warning("stripe webhook refused: %s", error.reason)
        return JSONResponse({"error": "invalid signature"}, 400)
    except ValueError:
        log.warning("stripe webhook refused: body is not a Stripe event")
        return JSONResponse({"error": "malformed event"}, 400)
    if event.type not in HANDLED_TYPES:
        return JSONResponse({"received": True, "outcome": "unhandled"})
    try:
        async with asyncio.timeout(DB_TIMEOUT_SECONDS + 1):  # backstop; pymongo's bound comes first
            with pymongo.timeout(DB_TIMEOUT_SECONDS):
                result = await apply_event(event)
    except (PyMongoError, TimeoutError):
        log.warning(
            "stripe webhook: MongoDB unavailable; event %s left for Stripe's retry", event.id
        )
        return _unavailable("temporarily unavailable")
    if result.placement_id is not None:
        await cache.delete_many([object_key(CachedKind.PLACEMENTS, result.placement_id)])
    return JSONResponse({"received": True, "outcome": result.outcome})
