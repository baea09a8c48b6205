"""A Strawberry extension that tells the request's counters its operation name and error codes.

Only `on_execute` and `on_operation` are hooked (no per-field hooks): each runs once a request.
List it before ErrorPresenter so that it sees the errors as clients do (masked, with codes).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from crowdhire.context import Context
from crowdhire.observability.logs import hash_sub
from crowdhire.observability.stats import RequestStats, current_stats, operation_label

UNPARSED = "unparsed"
UNKNOWN = "unknown"
ANONYMOUS = "anonymous"


def operation_name(document: DocumentNode | None, name: str | None) -> str:
    """The name of the operation the document runs, else "anonymous", "unparsed" or "unknown".

    A name counts only if the parsed document defines it, so a client cannot invent metric
    labels with `operationName`.
    """
    if document is None:
        return UNPARSED
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return ANONYMOUS if len(operations) == 1 else UNKNOWN
    defined = {op.name.value for op in operations if op.name is not None}
    return name if name in defined else UNKNOWN


class OperationObserver(SchemaExtension):
    """Records operation name, error codes and the hashed viewer for the request's log line."""

    def _name_operation(self) -> RequestStats | None:
        stats = current_stats()
        if stats is not None:
            context = self.execution_context
            name = operation_name(context.graphql_document, context.operation_name)
            stats.operation = operation_label(name)
        return stats

    def on_execute(self) -> Iterator[None]:
        """Once parsed and valid: name the operation (a request cut off mid-way keeps it)."""
        self._name_operation()
        yield

    def on_operation(self) -> Iterator[None]:
        """After the operation: copy what the log line and metrics need."""
        yield
        stats = self._name_operation()
        if stats is None:
            return
        context = self.execution_context
        errors = getattr(context.result, "errors", None) or []
        stats.error_codes = [
            str((error.extensions or {}).get("code", "UNKNOWN")) for error in errors
        ]
        if isinstance(context.context, Context):
            stats.viewer = hash_sub(context.context.viewer.sub)
