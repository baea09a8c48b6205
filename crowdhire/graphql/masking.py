"""How errors reach clients: expected ones readable with a code, the rest masked with an id."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from crowdhire.errors import CrowdhireError
from crowdhire.graphql.error_bounds import bounded_errors

log = logging.getLogger("crowdhire.errors")

UNEXPECTED_MESSAGE = "Unexpected error"


def _cause(error: GraphQLError) -> BaseException | None:
    """The innermost exception behind an error (None for pure GraphQL errors)."""
    original: BaseException | None = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original


def _expected(error: GraphQLError) -> CrowdhireError | None:
    cause = _cause(error)
    return cause if isinstance(cause, CrowdhireError) else None


class ErrorPresenter(MaskErrors):
    """Expected errors keep message + code; unexpected ones become "Unexpected error" + errorId.

    Validation and syntax errors carry no original exception and stay readable.
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._should_mask, error_message=UNEXPECTED_MESSAGE)

    @staticmethod
    def _should_mask(error: GraphQLError) -> bool:
        # Errors without a path come from parsing, validation or variable coercion: readable.
        cause = _cause(error)
        return (
            error.path is not None
            and cause is not None
            and not isinstance(cause, (CrowdhireError, GraphQLError))
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed: list[GraphQLError] = []
        for error in errors:
            expected = _expected(error)
            if expected is not None:
                processed.append(self._with_extensions(error, expected.extensions))
            elif self._should_mask(error):
                processed.append(self._masked(error))
            else:
                extensions = {"code": "GRAPHQL_VALIDATION_FAILED", **(error.extensions or {})}
                processed.append(self._with_extensions(error, extensions))
        return bounded_errors(processed)

    def _masked(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex
        log.error(
            "unexpected error %s at %s",
            error_id,
            error.path,
            exc_info=error.original_error,
        )
        masked = self.anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "errorId": error_id}
        return masked

    @staticmethod
    def _with_extensions(error: GraphQLError, extensions: dict[str, Any]) -> GraphQLError:
        return GraphQLError(
            message=error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )
