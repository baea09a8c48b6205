"""What text crowdhire stores and searches: no control characters, no bidi overrides.

One rule for every text input. C0 and C1 control characters (NUL included: MongoDB refuses it
in a regex) are never wanted; tab and newline are allowed in long text only. Bidi embedding,
override and isolate characters (U+202A to U+202E, U+2066 to U+2069) let a name display as
something else than it is ("\u202eevil"), so they are refused everywhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from crowdhire.errors import BadUserInputError

# Inputs whose text may span lines (python field names; the GraphQL names are their camelCase).
MULTILINE_FIELDS = frozenset({"description", "bio", "pitch", "note", "reject_reason"})

_BIDI = "\u202a-\u202e\u2066-\u2069"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why this text is refused (naming the first bad character), or None when it is fine."""
    found = (_MULTILINE if multiline else _SINGLE_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    kind = "a bidirectional formatting" if _is_bidi(char) else "a control"
    return f"contains {kind} character (U+{ord(char):04X}) at position {found.start()}"


def _is_bidi(char: str) -> bool:
    return "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069"


def require_plain_text(value: str | None, argument: str) -> None:
    """BAD_USER_INPUT naming `argument` when a query's text argument breaks the rule."""
    if value is None:
        return
    problem = text_problem(value)
    if problem is not None:
        raise BadUserInputError(f"`{argument}` {problem}", argument=argument)


def utc_instant(value: datetime | None, argument: str) -> datetime | None:
    """The instant in UTC; BAD_USER_INPUT when it falls outside the years 1 to 9999 there."""
    if value is None or value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        message = f"`{argument}` is outside the supported range (years 1 to 9999 in UTC)"
        raise BadUserInputError(message, argument=argument) from None
