"""Every mutation's text input passes the shared text rule before its resolver runs.

The screen walks the mutation's `input` (nested inputs and lists included) and, when some text
breaks the rule, answers the mutation's own payload with an INVALID_INPUT user error per field
instead of running it, so nothing is written. Every mutation's error enum has INVALID_INPUT.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from enum import Enum
from typing import Any, get_args

from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.base import StrawberryList, get_object_definition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from crowdhire.errors import BadUserInputError
from crowdhire.resolvers.text_rules import MULTILINE_FIELDS, text_problem

INVALID_INPUT = "INVALID_INPUT"


def text_errors(
    value: Any, path: tuple[str, ...] = (), name: str = ""
) -> Iterator[tuple[tuple[str, ...], str]]:
    """(input path, message) for every string in an input value that breaks the text rule."""
    if isinstance(value, str):
        problem = text_problem(value, multiline=name in MULTILINE_FIELDS)
        if problem is not None:
            yield path, f"{'.'.join(path) or 'input'} {problem}"
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from text_errors(item, (*path, str(index)), name)
    elif (definition := get_object_definition(value)) is not None and definition.is_input:
        for field in definition.fields:
            graphql_name = field.graphql_name or to_camel_case(field.python_name)
            child = getattr(value, field.python_name, None)
            yield from text_errors(child, (*path, graphql_name), field.python_name)


def refused_payload(payload_type: Any, errors: list[tuple[tuple[str, ...], str]]) -> Any:
    """The mutation's payload carrying only these INVALID_INPUT user errors."""
    definition = get_object_definition(payload_type, strict=True)
    if not any(f.python_name == "user_errors" for f in definition.fields):
        raise TypeError(f"{definition.name} has no userErrors")
    values: dict[str, Any] = {}
    for field in definition.fields:
        if field.python_name == "user_errors":
            if not isinstance(field.type, StrawberryList):
                raise TypeError(f"{definition.name}.userErrors is not a list")
            values["user_errors"] = [_user_error(field.type.of_type, e) for e in errors]
        elif field.base_resolver is None:
            values[field.python_name] = False if field.type is bool else None
    return payload_type(**values)


def _user_error(error_type: Any, error: tuple[tuple[str, ...], str]) -> Any:
    # error types subclass UserError[SomeErrorCode]: the enum is that base's type argument
    codes: type[Enum] = next(
        argument
        for base in getattr(error_type, "__orig_bases__", ())
        for argument in get_args(base)
        if isinstance(argument, type) and issubclass(argument, Enum)
    )
    path, message = error
    return error_type(field=list(path), code=codes(INVALID_INPUT), message=message)


class TextScreen(FieldExtension):
    """Refuses a mutation whose input text has control or bidi formatting characters."""

    def apply(self, field: StrawberryField) -> None:
        """Remember the field: its type is the payload built on refusal."""
        self.field = field

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        """Run the mutation only when every text in its input passes."""
        errors = list(text_errors(kwargs.get("input")))
        if not errors:
            return await next_(source, info, **kwargs)
        try:
            return refused_payload(self.field.type, errors)
        except (ValueError, TypeError, StopIteration):
            # a payload without user errors or INVALID_INPUT: refuse as a top-level error
            path, message = errors[0]
            raise BadUserInputError(message, argument=".".join(("input", *path))) from None


def screen_mutations(mutation_type: type) -> None:
    """Put the text screen in front of every field of the root Mutation type."""
    for field in get_object_definition(mutation_type, strict=True).fields:
        field.extensions.append(TextScreen())
