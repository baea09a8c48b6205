"""Validation limits: depth, aliases, tokens, directives per field, list sizes, bounded errors.

Everything here runs before execution, so a refused document never reaches a resolver or MongoDB.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from functools import partial
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    ListValueNode,
    ValidationContext,
    ValidationRule,
    validate,
)
from graphql.language import ArgumentNode, ObjectFieldNode
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from crowdhire.settings import Settings

LIST_CODE = "BAD_USER_INPUT"  # as the resolvers' own list caps answer


def max_directives_rule(limit: int) -> type[ValidationRule]:
    """A rule refusing fields that carry more than `limit` directives."""

    class MaxDirectivesPerField(ValidationRule):
        """More than `limit` directives on one field is refused."""

        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            """Count this field's directives."""
            count = len(node.directives or ())
            if count > limit:
                self.report_error(
                    GraphQLError(
                        f"Field '{node.name.value}' has {count} directives. Allowed: {limit}",
                        node,
                    )
                )

    return MaxDirectivesPerField


def max_list_items_rule(limit: int) -> type[ValidationRule]:
    """A rule refusing literal list arguments longer than `limit` items."""

    class MaxListItems(ValidationRule):
        """A list literal with more than `limit` items is refused, naming its argument."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.names: list[str] = []

        def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
            """Track the argument a literal belongs to."""
            self.names.append(node.name.value)

        def leave_argument(self, *_args: Any) -> None:
            """Leave it."""
            self.names.pop()

        def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
            """Track input object fields inside the argument."""
            self.names.append(node.name.value)

        def leave_object_field(self, *_args: Any) -> None:
            """Leave it."""
            self.names.pop()

        def enter_list_value(self, node: ListValueNode, *_args: Any) -> None:
            """Check one list literal, wherever it sits in an argument."""
            if len(node.values) <= limit:
                return
            argument = ".".join(self.names) or "list"
            self.report_error(
                GraphQLError(
                    f"`{argument}` takes at most {limit} items, got {len(node.values)}",
                    node,
                    extensions={"code": LIST_CODE, "argument": argument},
                )
            )

    return MaxListItems


def long_variable_lists(variables: Mapping[str, Any] | None, limit: int) -> list[GraphQLError]:
    """Errors for variables holding a list (at any depth) longer than `limit` items."""
    errors: list[GraphQLError] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, list):
            if len(value) > limit:
                errors.append(
                    GraphQLError(
                        f"Variable `${path}` holds {len(value)} items. Allowed: {limit}",
                        extensions={"code": LIST_CODE, "argument": path},
                    )
                )
                return
            for item in value:
                walk(item, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")

    for name, value in (variables or {}).items():
        walk(value, name)
    return errors


class ValidationCache:
    """Validation results per document text: a document's validity never changes for a schema.

    Most traffic repeats the same few documents (the SPAs' queries), so validating each one once
    per process removes the largest per-request cost the profiles showed."""

    def __init__(self, maxsize: int = 1024) -> None:
        self._entries: OrderedDict[str, tuple[GraphQLError, ...]] = OrderedDict()
        self._maxsize = maxsize

    def get(self, query: str) -> tuple[GraphQLError, ...] | None:
        """The cached errors (empty when valid), or None when never validated."""
        found = self._entries.get(query)
        if found is not None:
            self._entries.move_to_end(query)
        return found

    def put(self, query: str, errors: list[GraphQLError]) -> None:
        """Remember a validation result, evicting the least recently used."""
        self._entries[query] = tuple(errors)
        if len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)


class BoundedValidation(SchemaExtension):
    """Runs validation itself: stops after `max_errors`, hides "Did you mean" suggestions."""

    def __init__(
        self, *, max_errors: int, max_list_items: int, cache: ValidationCache | None = None
    ) -> None:
        self.max_errors = max_errors
        self.max_list_items = max_list_items
        self.cache = cache

    async def on_validate(self) -> AsyncIterator[None]:
        """Validate once, with bounded errors; Strawberry skips its own pass when this ran."""
        context = self.execution_context
        assert context.graphql_document is not None
        query = context.query or ""
        known = self.cache.get(query) if self.cache is not None else None
        if known is not None:
            errors = list(known)
        else:
            rules = (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule)
            errors = validate(
                context.schema._schema,
                context.graphql_document,
                rules,
                max_errors=self.max_errors,
                hide_suggestions=True,
            )
            if self.cache is not None:
                self.cache.put(query, errors)
        if not errors:
            errors = long_variable_lists(context.variables, self.max_list_items)
        # graphql-core appends one "Too many validation errors" past the limit.
        context.pre_execution_errors = errors[: self.max_errors + 1]
        yield


ExtensionFactory = Callable[[], SchemaExtension]
"""Strawberry builds one extension per request from these (instances would be shared)."""


def limit_extensions(settings: Settings) -> list[ExtensionFactory]:
    """Every validation limit the settings describe, in the order they must run."""
    extensions: list[ExtensionFactory] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(
            AddValidationRules,
            [
                max_directives_rule(settings.max_directives_per_field),
                max_list_items_rule(settings.max_list_items),
            ],
        ),
    ]
    # Parsing, like validation, depends only on the document text: parse each one once.
    extensions.append(partial(ParserCache, maxsize=1024))
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    extensions.append(
        partial(
            BoundedValidation,
            max_errors=settings.max_validation_errors,
            max_list_items=settings.max_list_items,
            cache=ValidationCache(),
        )
    )
    return extensions
