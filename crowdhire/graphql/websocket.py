"""graphql-transport-ws with crowdhire's rules: Strawberry's protocol handler, plus

- authentication in `connection_init` (`Authorization: Bearer …` in the payload) with the HTTP
  verifier; a missing or bad token closes the socket with 4403, and so does the token's expiry;
- subscriptions only: queries and mutations go over HTTP, where the body, cost and budget rules
  apply;
- a cap on connections per identity (4429) next to Strawberry's cap on operations per connection;
- heartbeats: the server pings, and a client that has not answered by the next ping is closed
  with 4504, so dead peers behind proxies do not hold subscriptions; each beat also reloads the
  subject's roles, so a lost membership stops the events it allowed.

A slow consumer (a full per-subscription buffer) is closed with 4008 by the subscription itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    PongMessage,
    SubscribeMessage,
)

from crowdhire.auth.jwks import KeySetUnavailableError
from crowdhire.auth.middleware import verify_authorization
from crowdhire.auth.roles import viewer_for
from crowdhire.auth.tokens import Claims, InvalidTokenError, TokenVerifier
from crowdhire.auth.viewer import Viewer
from crowdhire.context import Context
from crowdhire.loaders import build_loaders
from crowdhire.loaders.roles import RolesBySubLoader
from crowdhire.observability.stats import SOCKET_CLOSES, SOCKETS_OPEN

log = logging.getLogger("crowdhire.graphql.websocket")

FORBIDDEN_CLOSE = 4403
TOO_MANY_CONNECTIONS_CLOSE = 4429
HEARTBEAT_TIMEOUT_CLOSE = 4504
TRY_AGAIN_LATER_CLOSE = 1013


class SocketRefusedError(Exception):
    """connection_init is refused; `reason` is safe to send in the close frame."""

    def __init__(self, reason: str, code: int = FORBIDDEN_CLOSE) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class SocketIdentity:
    """Who authenticated a socket, and until when (the token's `exp`, Unix time)."""

    viewer: Viewer
    expires_at: float | None
    claims: Claims | None = None


async def authenticate_payload(
    payload: dict[str, object], verifier: TokenVerifier | None, roles: RolesBySubLoader
) -> SocketIdentity:
    """The HTTP rules on the payload's `Authorization` value; no token is refused too, since
    no subscription is open to anonymous callers."""
    value = payload.get("Authorization", payload.get("authorization"))
    if not isinstance(value, str) or not value.isascii():
        raise SocketRefusedError("connection_init payload needs Authorization: Bearer <token>")
    try:
        claims = await verify_authorization([value.encode()], verifier)
    except InvalidTokenError as error:
        raise SocketRefusedError(f"Invalid token: {error.reason}") from error
    except KeySetUnavailableError as error:
        reason = "Authentication is temporarily unavailable"
        raise SocketRefusedError(reason, TRY_AGAIN_LATER_CLOSE) from error
    return SocketIdentity(await viewer_for(claims, roles), claims.expires_at, claims)


class SocketAuthenticator(Protocol):
    """What the view offers the handler: the HTTP token rules, applied to a payload."""

    async def authenticate_socket(
        self, context: Context, payload: dict[str, object]
    ) -> SocketIdentity:
        """The identity behind the payload's `Authorization`, or SocketRefusedError."""


class ConnectionCounts:
    """Open sockets per subject in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()

    def acquire(self, sub: str) -> bool:
        """Take a slot for `sub`; False when it already holds `limit` sockets."""
        if self._open[sub] >= self.limit:
            return False
        self._open[sub] += 1
        return True

    def release(self, sub: str) -> None:
        """Give a slot back."""
        self._open[sub] -= 1
        if self._open[sub] <= 0:
            del self._open[sub]


def is_subscription(query: str, operation_name: str | None, max_tokens: int) -> bool | None:
    """True for a subscription, False for a query or mutation, None when it cannot tell
    (unparsable, unknown operation name): Strawberry then answers as the protocol says."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None
    return operations[0].operation is OperationType.SUBSCRIPTION


class SocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """One graphql-transport-ws connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context.close_socket = self.close
        self._counts: ConnectionCounts = self.view.connection_counts  # type: ignore[attr-defined]
        self._holder: str | None = None
        self._claims: Claims | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._awaiting_pong = False
        self._closed = False
        SOCKETS_OPEN.inc()

    async def close(self, code: int, reason: str) -> None:
        """Close once, whoever asks first (the expiry timer, a slow subscription, a ping)."""
        if self._closed:
            return
        self._closed = True
        SOCKET_CLOSES.labels(str(code)).inc()
        with suppress(Exception):
            await self.websocket.close(code=code, reason=reason)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Authenticate the payload before Strawberry acknowledges the connection."""
        payload = message.get("payload") or {}
        if self.connection_init_received or self.connection_timed_out:
            await super().handle_connection_init(message)
            return
        if not isinstance(payload, dict):
            await self.close(4400, "Invalid connection init payload")
            return
        authenticator: SocketAuthenticator = self.view  # type: ignore[assignment]
        try:
            identity = await authenticator.authenticate_socket(self.context, payload)
        except SocketRefusedError as refused:
            await self.close(refused.code, refused.reason)
            return
        sub = identity.viewer.sub
        if sub is None or not self._counts.acquire(sub):
            limit = self._counts.limit
            await self.close(
                TOO_MANY_CONNECTIONS_CLOSE, f"At most {limit} connections per identity"
            )
            return
        self._holder = sub
        self._claims = identity.claims
        self.context.viewer = identity.viewer
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self._tasks.append(asyncio.create_task(self._heartbeat()))
            if identity.expires_at is not None:
                self._tasks.append(asyncio.create_task(self._expire(identity.expires_at)))

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """Subscriptions only; queries and mutations are answered with an error message."""
        settings = self.context.settings
        payload = message.get("payload") or {}
        query = payload.get("query") if isinstance(payload, dict) else None
        kind = None
        if self.connection_acknowledged and isinstance(query, str):
            kind = is_subscription(query, payload.get("operationName"), settings.max_tokens)
        if kind is False and message["id"] not in self.operations:
            error = GraphQLError(
                "Only subscriptions run over WebSocket; send queries and mutations over HTTP",
                extensions={"code": "OPERATION_NOT_SUPPORTED"},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)

    async def handle_pong(self, message: PongMessage) -> None:
        """The client answered the last ping."""
        self._awaiting_pong = False

    async def _heartbeat(self) -> None:
        interval = self.context.settings.subscription_heartbeat_seconds
        try:
            while not self._closed:
                await asyncio.sleep(interval)
                if self._awaiting_pong:
                    await self.close(HEARTBEAT_TIMEOUT_CLOSE, "No pong since the last ping")
                    return
                self._awaiting_pong = True
                await self.send_message({"type": "ping"})
                await self._refresh_roles()
        except WebSocketDisconnected:
            return

    async def _refresh_roles(self) -> None:
        """Roles as they are now (a member removed from a company stops hearing it within a
        heartbeat, as their next HTTP request would see), read fresh, not from the socket's
        first loaders."""
        if self._claims is None:
            return
        roles = build_loaders(self.context.cache).roles_by_sub
        self.context.viewer = await viewer_for(self._claims, roles)

    async def _expire(self, expires_at: float) -> None:
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        await self.close(FORBIDDEN_CLOSE, "Token expired: reconnect with a fresh token")

    async def shutdown(self) -> None:
        """Stop the timers, end the operations, give the identity's slot back."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        await super().shutdown()
        if self._holder is not None:
            self._counts.release(self._holder)
            self._holder = None
        SOCKETS_OPEN.dec()
