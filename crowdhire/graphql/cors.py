"""CORS for the single-page apps (user app and admin app, each on its own origin).

The allowed request headers are those the README invites (`Authorization`, `Content-Type`,
`X-Request-ID`) plus what Apollo Client and urql add; anything else fails the preflight, which is
what keeps arbitrary cross-origin writes out. Exposed headers are the ones a SPA must read to
retry well and to quote a request in a support ticket.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from crowdhire.settings import Settings

ALLOWED_REQUEST_HEADERS = (
    "Accept",
    "Authorization",
    "Content-Type",
    "X-Request-ID",
    # Apollo Client: client awareness, its CSRF-prevention header, and the operation name.
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    # urql's persisted and cache exchanges send no headers of their own; conditional GETs do.
    "If-None-Match",
)
EXPOSED_RESPONSE_HEADERS = (
    "X-Request-ID",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "ETag",
)


def cors_middleware(settings: Settings) -> Middleware | None:
    """The CORS middleware for the configured origins; None (no CORS headers at all) without any."""
    if not settings.cors_allow_origins:
        return None
    return Middleware(
        CORSMiddleware,
        allow_origins=settings.cors_allow_origins,
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=[
            "GET",
            "POST",
            "PUT",
        ],  # PUT: candidate file uploads, from allowed origins only
        allow_headers=list(ALLOWED_REQUEST_HEADERS),
        expose_headers=list(EXPOSED_RESPONSE_HEADERS),
        max_age=settings.cors_max_age_seconds,
    )
