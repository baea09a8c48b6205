"""Settings of GraphQL subscriptions over WebSocket: caps, buffers and heartbeats."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class SubscriptionSettings(BaseSettings):
    """Bounds that keep one client from holding unbounded sockets, operations or memory."""

    subscription_queue_size: int = Field(
        256,
        ge=1,
        le=100_000,
        description="events buffered for one subscription; a consumer that falls this far"
        " behind is disconnected (close code 4008) instead of growing memory",
    )
    subscriptions_per_connection: int = Field(
        20, ge=1, le=1000, description="operations one WebSocket connection may run at once"
    )
    subscription_connections_per_identity: int = Field(
        10, ge=1, le=10_000, description="WebSocket connections one subject may hold per instance"
    )
    subscription_heartbeat_seconds: float = Field(
        15,
        gt=0,
        le=300,
        description="the server pings this often; a client that has not answered the previous"
        " ping by the next one is disconnected (close code 4504)",
    )
    subscription_init_timeout_seconds: float = Field(
        10, gt=0, le=300, description="time a new socket has to send connection_init (4408)"
    )
