"""Settings of outbound webhooks: the address guard, timeouts, retries and rotation overlap."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

THREE_DAYS = 3 * 24 * 3600.0


class WebhookSettings(BaseSettings):
    """How webhooks are delivered; test runs allow loopback receivers explicitly."""

    webhook_allow_loopback: bool = Field(
        False,
        description="allow receivers on loopback addresses (tests and local development only;"
        " never in production)",
    )
    webhook_timeout_seconds: float = Field(
        15.0, gt=0, le=60, description="one delivery attempt: connect, send and read the answer"
    )
    webhook_retry_base_seconds: float = Field(
        10.0, ge=0, le=3600, description="delay before the second attempt; doubles each time"
    )
    webhook_retry_cap_seconds: float = Field(
        6 * 3600.0, ge=0, description="longest delay between two attempts (before jitter)"
    )
    webhook_retry_window_seconds: float = Field(
        THREE_DAYS, gt=0, description="a delivery is retried this long, then marked failed"
    )
    webhook_disable_after_seconds: float = Field(
        THREE_DAYS, gt=0, description="an endpoint whose every attempt failed this long is disabled"
    )
    webhook_secret_overlap_seconds: float = Field(
        24 * 3600.0, ge=0, description="after a rotation the old secret still signs this long"
    )
    webhook_dispatch_seconds: float = Field(
        1.0, gt=0, le=60, description="how often each instance looks for new events to fan out"
    )
    webhook_dispatch_batch: int = Field(
        200, ge=1, le=5000, description="outbox events fanned out in one transaction"
    )
    webhook_endpoints_per_owner: int = Field(
        20, ge=1, le=1000, description="endpoints one company (or the admins together) may have"
    )
