"""The edge: read the bearer token, verify it once, put the claims in the request scope.

A bad token answers 401 with `WWW-Authenticate: Bearer error="invalid_token"` before any
resolver runs. No token means anonymous. Tokens in the query string or cookies are ignored.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from crowdhire.auth.jwks import KeySetUnavailableError
from crowdhire.auth.tokens import Claims, InvalidTokenError, TokenVerifier

log = logging.getLogger("crowdhire.auth")

CLAIMS_SCOPE_KEY = "crowdhire.claims"
PROTECTED_PATHS = ("/graphql",)
PROTECTED_PREFIXES = ("/files/",)  # signed downloads are bound to a viewer


def claims_of(scope: Scope) -> Claims | None:
    """The verified claims of this request, None when anonymous."""
    claims: Claims | None = scope.get(CLAIMS_SCOPE_KEY)
    return claims


def _error(status: int, code: str, message: str, headers: dict[str, str]) -> JSONResponse:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


class BearerAuthMiddleware:
    """Verifies `Authorization: Bearer …` for GraphQL requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Verify, then pass on; or answer 401/503 without calling the app."""
        path = scope["path"] if scope["type"] == "http" else ""
        if path not in PROTECTED_PATHS and not path.startswith(PROTECTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        values = [v for k, v in scope["headers"] if k == b"authorization"]
        if not values:
            scope[CLAIMS_SCOPE_KEY] = None
            await self.app(scope, receive, send)
            return
        verifier: TokenVerifier | None = scope["app"].state.services.verifier
        try:
            scope[CLAIMS_SCOPE_KEY] = await self._verify(values, verifier)
        except InvalidTokenError as error:
            description = error.reason.replace('"', "'")
            header = f'Bearer error="invalid_token", error_description="{description}"'
            response = _error(401, "UNAUTHENTICATED", f"Invalid token: {error.reason}",
                              {"WWW-Authenticate": header})  # fmt: skip
            await response(scope, receive, send)
            return
        except KeySetUnavailableError:
            log.warning("token signing keys unavailable; answering 503")
            response = _error(503, "AUTH_UNAVAILABLE", "Authentication is temporarily unavailable",
                              {"Retry-After": "5"})  # fmt: skip
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _verify(values: list[bytes], verifier: TokenVerifier | None) -> Claims:
        return await verify_authorization(values, verifier)


async def verify_authorization(values: list[bytes], verifier: TokenVerifier | None) -> Claims:
    """The claims of the one `Bearer <token>` among `values` (HTTP headers or a WebSocket's
    connection_init payload); InvalidTokenError otherwise."""
    if len(values) != 1:
        raise InvalidTokenError("send exactly one Authorization header")
    scheme, _, token = values[0].decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token.strip():
        raise InvalidTokenError("expected 'Authorization: Bearer <token>'")
    if verifier is None:
        raise InvalidTokenError("this server is not configured to accept tokens")
    return await verifier.verify(token.strip())
