"""Filenames as users typed them, made safe to store and to send back in a header."""

from __future__ import annotations

import re
import unicodedata

MAX_FILENAME = 200
_QUOTES = re.compile(r'["\\]')
# Control, format (bidi overrides that disguise an extension) and line/paragraph separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def sanitize_filename(raw: str) -> str:
    """The last path component, NFC, without control characters or quotes; "" if none is left."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    name = _QUOTES.sub("", name).strip().strip(".")
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension[:20] if dot else ""
        name = (stem if dot else name)[: MAX_FILENAME - len(keep) - 1].rstrip() + (
            f".{keep}" if keep else ""
        )
    return name
