"""Trusted reads: documents from our own collections, built without re-validating them.

`Model.model_validate(raw)` on the read path costs more than the query: on an uncached page of
50 jobs with 10 submissions each, Beanie's `__init__`, pydantic's validators (`as_utc` on
every timestamp of every stage change, skill normalization), `PydanticObjectId` copies and
private-attribute set-up were about a fifth of the server's time. What a collection holds
was validated when it was written (every write goes through the Beanie model), so reading it
back re-checks nothing new.

`trusted_read(Model, raw)` builds the same object directly. Per model class, once, the
pydantic fields say how each stored value becomes the attribute value (enum member, nested
model, UTC timestamp, lists of those; plain strings, numbers and flags as stored, their type
checked), and that is compiled into one constructor function (generated source: a loop over
the fields cost more than the values did). The result equals `model_validate(raw)`, field for
field, and dumps to the same JSON (tests/test_trusted_reads.py compares them over every stored
document of the seeded data). Validators are not run: they ran when the document was written.

It steps back to `model_validate` whenever trust would change the answer: a stored row that
lacks a field (older than the field: defaults and derived keys then come from validation),
a value of an unexpected type, or a model with a construct the plan does not know (links,
custom validators in an annotation, unions of several types).

A read projected to fewer fields (`omitted`: fields the query left out, stored under their own
names) builds an object whose left-out fields hold `NotLoaded`: iterating, testing or
comparing one raises, rather than showing a default as if it were stored.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from bson import ObjectId
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from crowdhire.models.common import as_utc

M = TypeVar("M", bound=BaseModel)

TRUSTED_READS: ContextVar[bool] = ContextVar("trusted_reads", default=True)
"""Off (per request, from the TRUSTED_READS setting) to validate every read as before."""
Convert = Callable[[Any], Any]


class Untrusted(Exception):  # noqa: N818 — a control-flow signal, not an error to report
    """This value (or model) must go through pydantic's validation."""


def _utc(value: Any) -> datetime:
    if type(value) is not datetime:
        raise Untrusted
    return as_utc(value)


def _exact(kind: type) -> Convert:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise Untrusted
        return value

    return check


def _as_float(value: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise Untrusted


def _enum(kind: type[Enum]) -> Convert:
    members = kind._value2member_map_

    def member(value: Any) -> Enum:
        found = members.get(value)
        if found is None:
            raise Untrusted
        return found

    return member


def _optional(inner: Convert) -> Convert:
    def optional(value: Any) -> Any:
        return None if value is None else inner(value)

    if inner in _EXACT_KINDS:
        _NULLABLE_KINDS[optional] = _EXACT_KINDS[inner]
    return optional


def _list(inner: Convert) -> Convert:
    plain = _EXACT_KINDS.get(inner)
    if plain is not None:
        # a list of strings (skills, links…) is kept as decoded: checked, not rebuilt

        def plain_items(value: Any) -> list[Any]:
            if type(value) is not list or not all(type(item) is plain for item in value):
                raise Untrusted
            return value

        return plain_items

    def items(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Untrusted
        return [inner(item) for item in value]

    return items


def _nested(model: type[BaseModel]) -> Convert:
    build = _builder(model)

    def nested(value: Any) -> Any:
        if type(value) is not dict:
            raise Untrusted
        return build(value)

    return nested


def _annotated(args: tuple[Any, ...]) -> Convert:
    base, *metadata = args
    for item in metadata:
        if isinstance(item, AfterValidator) and item.func is as_utc and base is datetime:
            return _utc
        if callable(getattr(item, "func", None)):  # another validator: it may change values
            raise Untrusted
    return _converter(base)


_EXACT_KINDS: dict[Convert, type] = {_exact(kind): kind for kind in (str, int, bool)}
"""The checks of plain values, by the type they check: list items and the generated
constructor test the type inline instead of calling them."""
_NULLABLE_KINDS: dict[Convert, type] = {}
"""The same for their optional forms (`str | None`…), filled as `_optional` makes them."""
_LEAVES: dict[Any, Convert] = {
    **{kind: check for check, kind in _EXACT_KINDS.items()},
    float: _as_float,
    datetime: _exact(datetime),
    ObjectId: lambda value: value if isinstance(value, ObjectId) else _untrusted(),
    UUID: lambda value: value if type(value) is UUID else _untrusted(),
}


def _untrusted() -> Any:
    raise Untrusted


def _converter(annotation: Any) -> Convert:
    """How a stored value becomes the attribute value pydantic would have made of it."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _annotated(typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(options) != 1:
            raise Untrusted
        return _optional(_converter(options[0]))
    if origin is list:
        (item,) = typing.get_args(annotation)
        return _list(_converter(item))
    if annotation in _LEAVES:
        return _LEAVES[annotation]
    if isinstance(annotation, type):
        if issubclass(annotation, ObjectId):
            # PydanticObjectId keeps the stored ObjectId: equal, hashed and dumped alike
            return _LEAVES[ObjectId]
        if issubclass(annotation, Enum):
            return _enum(annotation)
        if issubclass(annotation, BaseModel):
            return _nested(annotation)
    raise Untrusted


Field = tuple[str, str, Convert, Callable[[], Any] | None]
"""(attribute name, stored key, converter, default when not stored or None = must be stored)"""


def _default_of(info: FieldInfo) -> Callable[[], Any]:
    return lambda: info.get_default(call_default_factory=True)


def _fields(model: type[BaseModel]) -> list[Field]:
    fields: list[Field] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        # Beanie never stores excluded fields (revision_id): their default is what a read gets.
        default = _default_of(info) if info.exclude else None
        # a top-level Annotated field keeps its validators in `metadata`, not the annotation
        annotation = info.annotation
        convert = (
            _annotated((annotation, *info.metadata)) if info.metadata else _converter(annotation)
        )
        fields.append((name, key, convert, default))
    return fields


def _private_source(model: type[BaseModel], names: dict[str, Any]) -> str:
    """The expression that makes one object's private attributes, as pydantic would."""
    private = dict(model.__private_attributes__)
    if not private:
        return "None"
    entries = []
    for index, (name, attr) in enumerate(private.items()):
        if attr.default_factory is not None:
            names[f"p{index}"] = attr.default_factory
            entries.append(f"{name!r}: p{index}()")
        elif isinstance(attr.default, bool | None):
            entries.append(f"{name!r}: {attr.default!r}")
        else:  # a mutable default would need a copy per object
            raise Untrusted
    return "{" + ", ".join(entries) + "}"


def _inline_check(convert: Convert) -> tuple[type, bool] | None:
    """(type, may be None) when a converter only checks a plain value's type, else None."""
    if convert in _EXACT_KINDS:
        return _EXACT_KINDS[convert], False
    if convert in _NULLABLE_KINDS:
        return _NULLABLE_KINDS[convert], True
    return None


def _source(
    model: type[BaseModel], fields: list[Field], omitted: frozenset[str]
) -> tuple[str, dict[str, Any]]:
    """Python source of one model's constructor, and the names it uses.

    One dict display in field order, no loop and no per-field call for plain values: the
    generic loop spent more time on its own bookkeeping than on the values. A missing key
    (KeyError) or a wrong type (Untrusted) hands the row to validation.
    """
    names: dict[str, Any] = {"Untrusted": Untrusted}
    entries, checks, excluded = [], [], []
    for index, (name, key, convert, default) in enumerate(fields):
        if name in omitted:
            names[f"o{index}"] = NotLoaded(model.__name__, name)
            entries.append(f"        {name!r}: o{index},")
            continue
        plain = _inline_check(convert)
        if plain is not None:
            kind, nullable = plain
            names[f"k{index}"] = kind
            value = f"(v{index} := raw[{key!r}])"
            check = f"type(v{index}) is not k{index}"
            checks.append(f"({check} and v{index} is not None)" if nullable else check)
        else:
            names[f"c{index}"] = convert
            value = f"c{index}(raw[{key!r}])"
        if default is not None:
            names[f"d{index}"] = default
            value = f"{value} if {key!r} in raw else d{index}()"
            excluded.append((name, key))
        entries.append(f"        {name!r}: {value},")
    always = {name for name, *_ in fields} - {name for name, _ in excluded} - omitted
    names["ALWAYS"] = frozenset(always)
    private = _private_source(model, names)
    lines = ["def construct(raw):", "    try:", "        values = {", *entries, "        }"]
    if checks:
        lines += [f"        if {' or '.join(checks)}:", "            raise Untrusted"]
    lines += ["    except (KeyError, Untrusted):", "        return validate(raw)"]
    lines += ["    given = set(ALWAYS)"]
    lines += [f"    if {key!r} in raw: given.add({name!r})" for name, key in excluded]
    lines += [
        "    document = new(model)",
        "    set_attribute(document, '__dict__', values)",
        "    set_attribute(document, '__pydantic_fields_set__', given)",
        "    set_attribute(document, '__pydantic_extra__', None)",
        f"    set_attribute(document, '__pydantic_private__', {private})",
        "    return document",
    ]
    return "\n".join(lines) + "\n", names


class NotLoaded:
    """The value of a field a projected read left out: any use of it raises.

    Not an absent attribute: Beanie puts a query expression of the same name on the class,
    which a missing instance attribute would silently read through to.
    """

    __slots__ = ("_what",)

    def __init__(self, model: str, field: str) -> None:
        self._what = f"{model}.{field} was left out of this read"

    def _refuse(self, *_: Any) -> Any:
        raise LookupError(self._what)

    __iter__ = __len__ = __bool__ = __getitem__ = __eq__ = __hash__ = _refuse

    def __getattr__(self, name: str) -> Any:
        raise LookupError(self._what)

    def __repr__(self) -> str:
        return f"<{self._what}>"


def _without(document: M, omitted: frozenset[str]) -> M:
    """A validated object whose left-out fields hold NotLoaded instead of a default."""
    for name in omitted:
        document.__dict__[name] = NotLoaded(type(document).__name__, name)
        document.__pydantic_fields_set__.discard(name)
    return document


def _validation(model: type[M], omitted: frozenset[str]) -> Callable[[dict[str, Any]], M]:
    if not omitted:
        return model.model_validate
    return lambda raw: _without(model.model_validate(raw), omitted)


def _builder(
    model: type[M], omitted: frozenset[str] = frozenset()
) -> Callable[[dict[str, Any]], M]:
    """The trusted constructor of one model class (cached per omitted keys), or validation."""
    cached = _BUILDERS.get((model, omitted))
    if cached is not None:
        return cached  # the cache is keyed by the model and the omitted keys
    stored_as_named = {
        name for name, info in model.model_fields.items() if info.alias in (None, name)
    }
    if not omitted <= stored_as_named:
        raise ValueError(f"{model.__name__} cannot omit {sorted(omitted - stored_as_named)}")
    validate = _validation(model, omitted)
    try:
        if getattr(model, "_link_fields", None) or model.model_config.get("extra") == "allow":
            raise Untrusted
        source, names = _source(model, _fields(model), omitted)
    except Untrusted:
        _BUILDERS[(model, omitted)] = validate
        return validate
    namespace: dict[str, Any] = {
        **names,
        "validate": validate,
        "new": model.__new__,
        "model": model,
        "set_attribute": object.__setattr__,
    }
    # the source is built from the model's own field names and aliases only (repr-quoted)
    exec(compile(source, f"<trusted {model.__name__}>", "exec"), namespace)
    construct: Callable[[dict[str, Any]], M] = namespace["construct"]
    _BUILDERS[(model, omitted)] = construct
    return construct


_BUILDERS: dict[tuple[type[BaseModel], frozenset[str]], Callable[[dict[str, Any]], Any]] = {}


def trusted_read(model: type[M], raw: dict[str, Any], omitted: frozenset[str] = frozenset()) -> M:
    """`model.model_validate(raw)` for a document our own collection holds, without validation
    (unless this request turned trust off); without the attributes of the `omitted` keys."""
    if not TRUSTED_READS.get():
        return _validation(model, omitted)(raw)
    return _builder(model, omitted)(raw)
