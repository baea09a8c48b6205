"""Trusted reads: documents from our own collections, built without re-validating them.

`Model.model_validate(raw)` on the read path costs more than the query: on an uncached page of
50 jobs with 10 submissions each, Beanie's `__init__`, pydantic's validators (`_as_utc` on
every timestamp of every stage change, skill normalization), `PydanticObjectId` copies and
private-attribute set-up were about a fifth of the server's time. What a collection holds
was validated when it was written (every write goes through the Beanie model), so reading it
back re-checks nothing new.

`trusted_read(Model, raw)` builds the same object directly: per model class, once, a plan
derived from the pydantic fields says how each stored value becomes the attribute value
(enum member, nested model, UTC timestamp, list of those; everything else as stored). The
result equals `model_validate(raw)`, field for field, and dumps to the same JSON
(tests/test_trusted_reads.py compares them over every stored document of the seeded data).

It steps back to `model_validate` whenever trust would change the answer: a stored row that
lacks a field (older than the field: defaults and derived keys then come from validation),
a value of an unexpected type, or a model with a construct the plan does not know (links,
custom validators in an annotation, unions of several types).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar, cast
from uuid import UUID

from bson import ObjectId
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from crowdhire.models.common import _as_utc

M = TypeVar("M", bound=BaseModel)

TRUSTED_READS: ContextVar[bool] = ContextVar("trusted_reads", default=True)
"""Off (per request, from the TRUSTED_READS setting) to validate every read as before."""
Convert = Callable[[Any], Any]


class Untrusted(Exception):  # noqa: N818 — a control-flow signal, not an error to report
    """This value (or model) must go through pydantic's validation."""


def _utc(value: Any) -> datetime:
    if type(value) is not datetime:
        raise Untrusted
    return _as_utc(value)


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
    return lambda value: None if value is None else inner(value)


def _list(inner: Convert) -> Convert:
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
        if isinstance(item, AfterValidator) and item.func is _as_utc and base is datetime:
            return _utc
        if callable(getattr(item, "func", None)):  # another validator: it may change values
            raise Untrusted
    return _converter(base)


_LEAVES: dict[Any, Convert] = {
    str: _exact(str),
    int: _exact(int),
    bool: _exact(bool),
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


def _private_defaults(model: type[BaseModel]) -> Callable[[], dict[str, Any] | None]:
    private = dict(model.__private_attributes__)
    if not private:
        return lambda: None
    factories: dict[str, Callable[[], Any]] = {
        name: cast(Callable[[], Any], attr.default_factory)
        for name, attr in private.items()
        if attr.default_factory
    }
    # the other defaults are None and False here; a mutable one would need a copy per object
    if any(
        not isinstance(attr.default, bool | None)
        for name, attr in private.items()
        if name not in factories
    ):
        raise Untrusted
    defaults = {name: attr.default for name, attr in private.items() if name not in factories}
    return lambda: {**defaults, **{name: factory() for name, factory in factories.items()}}


def _builder(model: type[M]) -> Callable[[dict[str, Any]], M]:
    """The trusted constructor of one model class (cached), or plain validation."""
    cached = _BUILDERS.get(model)
    if cached is not None:
        return cached  # the cache is keyed by the model
    try:
        if getattr(model, "_link_fields", None) or model.model_config.get("extra") == "allow":
            raise Untrusted
        fields = _fields(model)
        private = _private_defaults(model)
    except Untrusted:
        build: Callable[[dict[str, Any]], M] = model.model_validate
        _BUILDERS[model] = build
        return build
    new, set_attribute = model.__new__, object.__setattr__

    def construct(raw: dict[str, Any]) -> M:
        values: dict[str, Any] = {}
        given: set[str] = set()
        try:
            for name, key, convert, default in fields:
                if key in raw:
                    values[name] = convert(raw[key])
                    given.add(name)
                elif default is not None:
                    values[name] = default()
                else:
                    raise Untrusted
        except Untrusted:
            return model.model_validate(raw)
        document = new(model)
        set_attribute(document, "__dict__", values)
        set_attribute(document, "__pydantic_fields_set__", given)
        set_attribute(document, "__pydantic_extra__", None)
        set_attribute(document, "__pydantic_private__", private())
        return document

    _BUILDERS[model] = construct
    return construct


_BUILDERS: dict[type[BaseModel], Callable[[dict[str, Any]], Any]] = {}


def trusted_read(model: type[M], raw: dict[str, Any]) -> M:
    """`model.model_validate(raw)` for a document our own collection holds, without validation
    (unless this request turned trust off)."""
    if not TRUSTED_READS.get():
        return model.model_validate(raw)
    return _builder(model)(raw)
