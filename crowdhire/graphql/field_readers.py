"""Compiled field readers: plain-data fields read without graphql-core's per-field dispatch.

graphql-core executes every field the same way: a `Path`, a resolve-info object, argument
coercion, the resolver call, an awaitable check, then `complete_value`'s walk down the
wrapping types. For a page of 50 jobs with 10 submissions each, about 3,700 of the 4,900
fields are leaves read straight off a view object (`title`, `stage`, `fullName`…), and that
machinery, not the value, is what they cost.

For a field whose resolver is Strawberry's plain attribute read, whose type is a scalar, an
enum or a list of them, and which takes no arguments, a reader reads the attribute and
coerces it with the type's own `coerce_output_value` (crowdhire.graphql.compiled runs them).

A reader never decides an error: when the value is null for a non-null type, awaitable, an
exception, not a list, or coercion fails or yields null, it answers STEP_ASIDE and the
standard path re-reads the field (an attribute read, free of side effects) and raises exactly
the error graphql-core would, at the same path, with the same null propagation. That is what
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
    GraphQLOutputType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.type import is_leaf_type
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

STEP_ASIDE: Any = object()
"""A reader's answer when the standard path must execute the field (and raise its error)."""

Reader = Callable[[Any], Any]
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


def streams(field_details_list: FieldDetailsList) -> bool:
    """Whether the field asks for `@stream` (graphql-core then delivers its list itself)."""
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
    if field is None or not _is_plain_attribute(field) or streams(field_details_list):
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
