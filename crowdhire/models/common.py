"""Value types shared by several documents: money, UTC timestamps, enums."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from beanie import Document
from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (MongoDB stores milliseconds)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


_NO_OFFSET = timedelta(0)


def as_utc(value: datetime) -> datetime:
    """The same instant as timezone-aware UTC (naive values are UTC by convention)."""
    zone = value.tzinfo
    if zone is UTC:
        return value
    # Naive (UTC by convention) or another zero-offset zone (PyMongo's tz_aware reads give
    # bson's own `utc`): the same instant, relabelled; `replace` costs a quarter of `astimezone`.
    if zone is None or zone.utcoffset(value) == _NO_OFFSET:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
"""A datetime that is always timezone-aware UTC, also when read back from MongoDB."""

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
"""An ISO 4217 currency code."""


class Money(BaseModel):
    """An amount in integer minor units (cents) plus its ISO currency."""

    model_config = ConfigDict(frozen=True)

    amount: int = Field(ge=0)
    currency: Currency


class StoredDocument(Document):
    """Beanie's Document without the per-attribute hook of lazy parsing, which crowdhire never
    uses: LazyModel's `__getattribute__` runs in Python on every attribute read (about 23,000
    per uncached jobs page, 3 % of its time) only to look for values not parsed yet."""

    if not TYPE_CHECKING:
        __getattribute__ = object.__getattribute__
