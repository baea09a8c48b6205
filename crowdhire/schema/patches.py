"""Optional fields of update inputs: omitted means keep, null means clear (or is refused)."""

from __future__ import annotations

from typing import TypeVar

import strawberry

from crowdhire.resolvers.patches import KEEP, Keep
from crowdhire.resolvers.transactions import refuse

T = TypeVar("T")


def kept_or_required(value: T | None, path: str) -> T | Keep:
    """An omitted field keeps its value; an explicit null is INVALID_INPUT at `path`."""
    if value is strawberry.UNSET:
        return KEEP
    if value is None:
        raise refuse((path,), "INVALID_INPUT", f"{path} cannot be null")
    return value


def kept_or_nullable(value: T | None) -> T | Keep | None:
    """An omitted field keeps its value; an explicit null clears it."""
    return KEEP if value is strawberry.UNSET else value
