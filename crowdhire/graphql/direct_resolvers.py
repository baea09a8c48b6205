"""Resolver fields called without Strawberry's per-call wrapping, where that wrapping is a no-op.

For every resolver call Strawberry builds its `Info`, converts the (absent) arguments, asks
each (absent) field extension to reshape them, folds the (empty) extension chain with
`reduce`/`partial`, and reaches the function through `StrawberryField.get_result` and
`StrawberryResolver.__call__`: nine Python frames around a resolver such as
`SubmissionType.candidate`, which itself answers from a prefetched loader in one line. A page
of 50 jobs with 10 submissions calls 1,050 of them.

`direct_resolver` returns, for a field where all of that provably does nothing, a function
that builds the same `Info` (Strawberry's own factory, taken from the wrapper) and calls the
resolver with the same positional and keyword arguments. It declines, so the standard path
runs, for any field with GraphQL arguments, field extensions (permission classes are
extensions), exception handlers, `root`/`parent` parameters, or a wrapper it does not
recognise (a Strawberry upgrade that changes it turns this off rather than wrong;
tests/test_compiled_execution.py compares every answer with the standard executor's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLField, GraphQLResolveInfo
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

DirectResolve = Callable[[Any, GraphQLResolveInfo[Any]], Any]

_WRAPPERS = ("from_resolver.<locals>._resolver", "from_resolver.<locals>._async_resolver")


def _free_variables(function: Callable[..., Any]) -> dict[str, Any]:
    cells = getattr(function, "__closure__", None) or ()
    names = function.__code__.co_freevars
    return {name: cell.cell_contents for name, cell in zip(names, cells, strict=True)}


def direct_resolver(field: GraphQLField | None) -> DirectResolve | None:
    """The resolver of `field` without Strawberry's no-op wrapping, or None (see module doc)."""
    if field is None or field.args or field.resolve is None:
        return None
    resolve = field.resolve
    if not resolve.__qualname__.endswith(_WRAPPERS):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    resolver = definition.base_resolver
    if resolver is None or definition.arguments or not callable(resolver.wrapped_func):
        return None
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    free = _free_variables(resolve)
    make_info = free.get("_strawberry_info_from_graphql")
    if free.get("field_exception_handlers") or not callable(make_info):
        return None
    function = resolver.wrapped_func
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    takes_self = resolver.self_parameter is not None

    if info_name is None:
        if takes_self:
            return lambda source, _info: function(source)
        return lambda _source, _info: function()

    def call(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        arguments = {info_name: make_info(info)}
        return function(source, **arguments) if takes_self else function(**arguments)

    return call
