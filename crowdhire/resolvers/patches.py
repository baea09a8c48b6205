"""Partial updates: the marker for "leave this field as it is"."""

from __future__ import annotations

from enum import Enum


class Keep(Enum):
    """Marks a field an update leaves as it is (distinct from None, which may clear a field)."""

    KEEP = "keep"


KEEP = Keep.KEEP
