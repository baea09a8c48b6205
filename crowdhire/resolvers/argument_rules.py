"""Argument rules every list shares: windows, list sizes, free text, filters and emails."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from crowdhire.errors import BadUserInputError
from crowdhire.loaders.pagination import PageRequest
from crowdhire.resolvers.text_rules import require_plain_text

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_TEXT_LENGTH = 200
MAX_LIST_ARGUMENT = 100


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    """A validated Relay window; errors name the offending argument."""
    if first is not None and last is not None:
        raise BadUserInputError("Pass either `first` or `last`, not both", argument="last")
    if last is not None or before is not None:
        if after is not None:
            raise BadUserInputError("`after` goes with `first`, not `last`", argument="after")
        size = _page_size(last, "last")
        return PageRequest(limit=size, forward=False, cursor=before, cursor_argument="before")
    if before is not None:
        raise BadUserInputError("`before` goes with `last`, not `first`", argument="before")
    return PageRequest(limit=_page_size(first, "first"), cursor=after, cursor_argument="after")


def _page_size(value: int | None, argument: str) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise BadUserInputError(
            f"`{argument}` must be between 1 and {MAX_PAGE_SIZE}, got {value}", argument=argument
        )
    return value


def capped_list(values: Iterable[Any] | None, argument: str) -> tuple[Any, ...]:
    """A list argument as a tuple, refusing more than MAX_LIST_ARGUMENT items."""
    items = tuple(values or ())
    if len(items) > MAX_LIST_ARGUMENT:
        raise BadUserInputError(
            f"`{argument}` takes at most {MAX_LIST_ARGUMENT} items", argument=argument
        )
    return items


def text_terms(value: str | None, argument: str) -> str | None:
    """Free text for a `$text` search: length-capped, operators (quotes, negation) removed."""
    if value is None:
        return None
    if len(value) > MAX_TEXT_LENGTH:
        raise BadUserInputError(
            f"`{argument}` is limited to {MAX_TEXT_LENGTH} characters", argument=argument
        )
    require_plain_text(value, argument)
    words = [word.lstrip("-") for word in value.replace('"', " ").split()]
    cleaned = " ".join(word for word in words if word)
    return cleaned or None


def prefix_pattern(value: str | None, argument: str) -> dict[str, Any] | None:
    """A case-insensitive, escaped prefix match for short text filters."""
    if value is None:
        return None
    if len(value) > MAX_TEXT_LENGTH:
        raise BadUserInputError(
            f"`{argument}` is limited to {MAX_TEXT_LENGTH} characters", argument=argument
        )
    require_plain_text(value, argument)  # a NUL byte would make MongoDB refuse the regex
    return {"$regex": "^" + re.escape(value.strip()), "$options": "i"}


def skills_match(any_of: tuple[str, ...], all_of: tuple[str, ...]) -> dict[str, Any] | None:
    """The `skills` condition: normalized, any-of and/or all-of."""
    conditions: dict[str, Any] = {}
    if any_of:
        conditions["$in"] = sorted({skill.strip().lower() for skill in any_of})
    if all_of:
        conditions["$all"] = sorted({skill.strip().lower() for skill in all_of})
    return conditions or None


def combine(match: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    """Both conditions: a list's own filter and the viewer's visibility scope."""
    if not scope:
        return match
    if not match:
        return scope
    return {"$and": [match, scope]}


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def is_email(value: str) -> bool:
    """A plausible address (local@domain.tld, no spaces); delivery is not checked."""
    return len(value) <= 254 and bool(_EMAIL.match(value))
