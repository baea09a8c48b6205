"""Settings of the event outbox, which the changes feed, subscriptions and webhooks all read."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class EventSettings(BaseSettings):
    """How long domain events are kept; a changes-feed cursor older than this has expired."""

    outbox_retention_days: float = Field(
        30, gt=0, le=3650, description="days an event stays in the outbox (changes feed, resume)"
    )
