"""Resolver fields called without Strawberry's per-call wrapping, where that wrapping is a no-op.

For every resolver call Strawberry builds its `Info`, converts the (absent) arguments, asks
each (absent) field extension to reshape them, folds the (empty) extension chain with
`reduce`/`partial`, and reaches the function through `StrawberryField.get_result` and
`StrawberryResolver.__call__`: nine Python frames around a resolver such as
`SubmissionType.candidate`, which itself answers from a prefetched loader in one line. A page
of 50 jobs with 10 submissions calls 1,050 of them.

`direct_resolver` returns, for a field where all of that provably does nothing, a function
that builds the same `Info` (Strawberry's own factory, taken from the wrapper) and calls the
resolver with the same positional and keyword arguments. Arguments are converted
with Strawberry's own `convert_arguments`, as its wrapper does; the executor hands the same
coerced-argument dict to every call of one field in one request (`Job.submissions(first:
10)` on 50 jobs), and a conversion of it whose values are all immutable (numbers, strings,
enum members, None) is reused. It declines, so the standard path runs, for any field with
field extensions (permission classes are extensions), exception handlers, `root`/`parent`
parameters, or a wrapper it does not recognise (a Strawberry upgrade that changes it turns
this off rather than wrong; tests/test_compiled_execution.py compares every answer with the
standard executor's).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from graphql import GraphQLField, GraphQLResolveInfo
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

DirectResolve = Callable[[Any, GraphQLResolveInfo[Any], dict[str, Any]], Any]
"""(source, info, the field's coerced arguments as graphql-core passes them) → the value."""

_IMMUTABLE = (type(None), bool, int, float, str, Enum)

_WRAPPERS = ("from_resolver.<locals>._resolver", "from_resolver.<locals>._async_resolver")


def _free_variables(function: Callable[..., Any]) -> dict[str, Any]:
    cells = getattr(function, "__closure__", None) or ()
    names = function.__code__.co_freevars
    return {name: cell.cell_contents for name, cell in zip(names, cells, strict=True)}


def direct_resolver(field: GraphQLField | None) -> DirectResolve | None:
    """The resolver of `field` without Strawberry's no-op wrapping, or None (see module doc)."""
    if field is None or field.resolve is None:
        return None
    resolve = field.resolve
    if not resolve.__qualname__.endswith(_WRAPPERS):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    resolver = definition.base_resolver
    if resolver is None or not callable(resolver.wrapped_func):
        return None
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    free = _free_variables(resolve)
    make_info = free.get("_strawberry_info_from_graphql")
    if free.get("field_exception_handlers") or not callable(make_info):
        return None
    convert = _argument_converter(definition, free) if definition.arguments else None
    if definition.arguments and convert is None:
        return None
    function = resolver.wrapped_func
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    takes_self = resolver.self_parameter is not None

    def call(source: Any, info: GraphQLResolveInfo[Any], arguments: dict[str, Any]) -> Any:
        strawberry_info = make_info(info) if info_name is not None or convert else None
        keywords = convert(arguments, strawberry_info) if convert else {}
        if info_name is not None:
            keywords = {**keywords, info_name: strawberry_info}
        return function(source, **keywords) if takes_self else function(**keywords)

    return call


Convert = Callable[[dict[str, Any], Any], dict[str, Any]]


def _argument_converter(definition: StrawberryField, free: dict[str, Any]) -> Convert | None:
    """Strawberry's conversion of coerced arguments, with the converter's own scalars and
    config (taken from its wrapper, as `make_info` is); None when they cannot be found."""
    chain = free.get("_get_result_with_extensions")
    converter = _free_variables(chain).get("self") if callable(chain) else None
    if not isinstance(converter, GraphQLCoreConverter):
        return None
    arguments, scalars, config = definition.arguments, converter.scalar_registry, converter.config
    # the last coerced dict converted, and its conversion when every value is immutable
    last: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def convert(coerced: dict[str, Any], info: Any) -> dict[str, Any]:
        if last and last[0][0] is coerced:
            return last[0][1]
        converted = convert_arguments(coerced, arguments, scalars, config, info)
        if all(isinstance(value, _IMMUTABLE) for value in converted.values()):
            last[:] = [(coerced, converted)]
        return converted

    return convert
