"""Value types shared by several documents: money, UTC timestamps, enums."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (MongoDB stores milliseconds)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
"""A datetime that is always timezone-aware UTC, also when read back from MongoDB."""

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
"""An ISO 4217 currency code."""


class Money(BaseModel):
    """An amount in integer minor units (cents) plus its ISO currency."""

    model_config = ConfigDict(frozen=True)

    amount: int = Field(ge=0)
    currency: Currency
