"""Error answers stay small whatever the document: short messages, a bounded number of errors.

graphql-core prints an offending literal into its message, pretty-printed: nesting it deeply
grows the message with the square of the depth (a 350-byte document got a 21 KB answer). Runs
of whitespace are folded, messages are cut at MAX_MESSAGE_CHARS, and past MAX_ERRORS errors
(execution can raise one per list item) a single error says how many were left out.
"""

from __future__ import annotations

from graphql.error import GraphQLError

MAX_MESSAGE_CHARS = 300
MAX_ERRORS = 20
MAX_LOCATIONS = 5
TOO_MANY_ERRORS = "TOO_MANY_ERRORS"


def short_message(message: str) -> str:
    """The message with whitespace folded, cut to MAX_MESSAGE_CHARS."""
    folded = " ".join(message.split())
    if len(folded) <= MAX_MESSAGE_CHARS:
        return folded
    return folded[: MAX_MESSAGE_CHARS - 1].rstrip() + "…"


def bounded_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """At most MAX_ERRORS short errors, then one saying how many more there were."""
    kept = [_shortened(error) for error in errors[:MAX_ERRORS]]
    left_out = len(errors) - len(kept)
    if left_out > 0:
        message = f"{left_out} more errors were left out"
        kept.append(GraphQLError(message, extensions={"code": TOO_MANY_ERRORS, "count": left_out}))
    return kept


def _shortened(error: GraphQLError) -> GraphQLError:
    message = short_message(error.message)
    many_places = error.nodes is not None and len(error.nodes) > MAX_LOCATIONS
    if message == error.message and not many_places:
        return error
    return GraphQLError(
        message=message,
        nodes=error.nodes[:MAX_LOCATIONS] if error.nodes else None,
        source=error.source,
        positions=list(error.positions)[:MAX_LOCATIONS] if error.positions else None,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )
