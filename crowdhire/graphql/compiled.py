"""Compiled field readers: plain-data fields skip graphql-core's per-field dispatch.

graphql-core executes every field the same way: a `Path`, a resolve-info object, argument
coercion, the resolver call, an awaitable check, then `complete_value`'s walk down the
wrapping types. For a page of 50 jobs with 10 submissions each, about 3,700 of the 4,900
fields are leaves read straight off a view object (`title`, `stage`, `fullName`…), and that
machinery, not the value, is what they cost.

So each selection set is compiled once per request into a list of readers: for a field
whose resolver is Strawberry's plain attribute read, whose type is a scalar, an enum or a
list of them, and which takes no arguments, the reader reads the attribute and coerces it
with the type's own `coerce_output_value`. A resolver field whose Strawberry wrapping
does nothing (crowdhire.graphql.direct_resolvers) has its function called directly, with its
arguments coerced once per field node in a request, then completes as `execute_field` would.
Everything else (middleware, field extensions, `@stream` on a plain field) runs through the
standard `execute_field`.

A reader never decides an error: when the value is null for a non-null type, awaitable, an
exception, not a list, or coercion fails or yields null, it steps aside and the standard
path re-reads the field (an attribute read, free of side effects) and raises exactly the
error graphql-core would, at the same path, with the same null propagation. That is what
keeps the responses byte-identical (tests/test_compiled_execution.py compares them).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.language import FieldNode
from graphql.pyutils import Path, gather_with_cancel
from graphql.type import is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from crowdhire.graphql.direct_resolvers import DirectResolve, direct_resolver

_NO_ARGUMENTS: dict[str, Any] = {}  # never mutated: direct resolvers copy what they pass on
STEP_ASIDE: Any = object()
"""A reader's answer when the standard path must execute the field (and raise its error)."""

Reader = Callable[[Any], Any]
Direct = tuple[GraphQLField, DirectResolve]
Entry = tuple[str, FieldDetailsList, Reader | None, Direct | None]
Leaf = Callable[[Any], Any]


def _leaf_coercer(leaf: GraphQLLeafType, is_awaitable: Callable[[Any], bool]) -> Leaf:
    """One non-null value to its output form, or STEP_ASIDE where graphql-core would raise."""
    coerce = leaf.coerce_output_value

    def coerce_leaf(value: Any) -> Any:
        if isinstance(value, Exception) or is_awaitable(value):
            return STEP_ASIDE
        try:
            coerced = coerce(value)
        except Exception:  # noqa: BLE001 — the standard path raises it, located
            return STEP_ASIDE
        return STEP_ASIDE if coerced is None or coerced is Undefined else coerced

    return coerce_leaf


def _value_completer(
    return_type: GraphQLOutputType, is_awaitable: Callable[[Any], bool]
) -> Leaf | None:
    """`complete_value` for a leaf or a list of leaves, without a path or an info object;
    None for types that need the standard executor (objects, abstract types)."""
    non_null = isinstance(return_type, GraphQLNonNull)
    inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    if is_leaf_type(inner):
        complete = _leaf_coercer(inner, is_awaitable)
    elif isinstance(inner, GraphQLList):
        item = _value_completer(inner.of_type, is_awaitable)
        if item is None:
            return None
        complete = _list_completer(item, is_awaitable)
    else:
        return None

    def complete_nullable(value: Any) -> Any:
        if value is None or value is Undefined:
            return STEP_ASIDE if non_null else None
        return complete(value)

    return complete_nullable


def _list_completer(item: Leaf, is_awaitable: Callable[[Any], bool]) -> Leaf:
    """Lists and tuples only: other iterables, async iterables and errors take the standard path."""

    def complete_list(value: Any) -> Any:
        if not isinstance(value, list | tuple) or is_awaitable(value):
            return STEP_ASIDE
        completed = []
        for element in value:
            done = item(element)
            if done is STEP_ASIDE:
                return STEP_ASIDE
            completed.append(done)
        return completed

    return complete_list


def _is_plain_attribute(field: GraphQLField) -> bool:
    """Strawberry's resolver for a field without resolver, extensions or exception handlers:
    it reads the attribute and never looks at its info argument. Without declared arguments a
    validated operation passes none."""
    resolve = field.resolve
    return (
        resolve is not None
        and getattr(resolve, "_is_default", False)
        and resolve.__qualname__.endswith("._get_basic_result")
        and not field.args
    )


def _streams(field_details_list: FieldDetailsList) -> bool:
    return any(
        directive.name.value == "stream"
        for details in field_details_list
        for directive in details.node.directives or ()
    )


def field_reader(
    field: GraphQLField | None,
    field_details_list: FieldDetailsList,
    is_awaitable: Callable[[Any], bool],
) -> Reader | None:
    """A compiled reader for one field of a selection set, or None for the standard path."""
    if field is None or not _is_plain_attribute(field) or _streams(field_details_list):
        return None
    complete = _value_completer(field.type, is_awaitable)
    resolve = field.resolve
    if complete is None or resolve is None:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(definition, StrawberryField) and definition.default_resolver is getattr:
        # what `_get_basic_result` → `get_result` → `default_resolver` ends in, without them
        attribute: Callable[[Any], Any] = attrgetter(definition.python_name)
    else:
        attribute = partial(resolve, info=None)

    def read(source: Any) -> Any:
        try:
            value = attribute(source)
        except Exception:  # noqa: BLE001 — the standard path raises it, located
            return STEP_ASIDE
        return complete(value)

    return read


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with compiled readers for plain-data fields (see module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(grouped field set) → (the set, kept alive so its id is not reused, its plan)
        self._plans: dict[int, tuple[GroupedFieldSet, list[Entry]]] = {}
        # (id(field node), id(field)) → (the node, kept alive, its coerced arguments)
        self._coerced: dict[tuple[int, int], tuple[FieldNode, dict[str, Any]]] = {}

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Entry]:
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        plan: list[Entry] = []
        # Strawberry always passes a manager; it wraps resolvers only when an extension
        # implements `resolve`, and then every field must go through it.
        manager = self.middleware_manager
        wrapped = manager is not None and bool(manager.middlewares)
        for response_name, details in fields.items():
            field = self.schema.get_field(parent_type, details[0].node.name.value)
            reader = None if wrapped else field_reader(field, details, self.is_awaitable)
            resolve = None if wrapped or reader is not None else direct_resolver(field)
            direct = None if field is None or resolve is None else (field, resolve)
            plan.append((response_name, details, reader, direct))
        self._plans[id(fields)] = (fields, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, with compiled readers tried first."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, details, reader, direct in self._plan(
                parent_type, grouped_field_set
            ):
                if reader is not None:
                    value = reader(source_value)
                    if value is not STEP_ASIDE:
                        results[response_name] = value
                        continue
                field_path = Path(path, response_name, parent_type.name)
                if direct is not None:
                    result = self._execute_direct(
                        direct, parent_type, source_value, details, field_path, position_context
                    )
                else:
                    result = self.execute_field(
                        parent_type, source_value, details, field_path, position_context
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                # as graphql-core: settle the other fields' awaitables, they may fail too
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather(results, awaitable_fields)

    def _arguments(self, field: GraphQLField, details: FieldDetailsList) -> dict[str, Any]:
        """graphql-core's coerced arguments, once per field node and definition in a request
        (the variables are the request's); the same dict each time (see direct_resolvers).
        Arguments of a fragment with variables of its own are coerced per call."""
        first = details[0]
        node = first.node
        if not field.args and not node.arguments:
            return _NO_ARGUMENTS
        own_variables = first.fragment_variable_values
        key = (id(node), id(field))  # the node kept in the value: its id cannot be reused
        known = self._coerced.get(key) if own_variables is None else None
        if known is not None:
            return known[1]
        coerced = get_argument_values(
            field, node, self.variable_values, own_variables, self.hide_suggestions
        )
        if own_variables is None:
            self._coerced[key] = (node, coerced)
        return coerced

    def _execute_direct(
        self,
        direct: Direct,
        parent_type: GraphQLObjectType,
        source: Any,
        details: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_field` for a field without middleware, calling
        its resolver directly (crowdhire.graphql.direct_resolvers); the same completion and
        the same error handling."""
        field, resolve = direct
        return_type = field.type
        info = self.build_resolve_info(field, to_nodes(details), parent_type, path)
        try:
            result = resolve(source, info, self._arguments(field, details))
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, details, info, path, result, position_context
                )
            completed = self.complete_value(
                return_type, details, info, path, result, position_context
            )
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, details, path)
        except Exception as raw_error:  # noqa: BLE001 — located and recorded, as graphql-core
            self.handle_field_error(raw_error, return_type, details, path)
            return None
        return completed

    async def _await_completed(
        self, completed: Any, return_type: GraphQLOutputType, details: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:  # noqa: BLE001 — located and recorded, as graphql-core
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    @staticmethod
    async def _gather(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
        if len(awaitable_fields) == 1:
            name = awaitable_fields[0]
            results[name] = await results[name]
            return results
        awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
        return results
