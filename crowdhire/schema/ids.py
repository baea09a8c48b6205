"""Opaque global ids (`base64url("Type:objectid")`) and the Relay Node interface."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

import strawberry
from bson import ObjectId
from bson.errors import InvalidId

from crowdhire.errors import BadUserInputError

MAX_ID_LENGTH = 100
# The same objects are shown again and again (a page of 500 submissions names its 50 jobs'
# recruiters and candidates many times, and the crowd reads the same open jobs): remembering
# the latest ids costs about 4 MB and saves a format and a base64 encoding each.
REMEMBERED_IDS = 16_384


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    """The Relay Node interface every object type implements."""

    id: strawberry.ID = strawberry.field(description="Globally unique, opaque id of this object.")


def encode_global_id(type_name: str, object_id: ObjectId) -> strawberry.ID:
    """The opaque id clients see for one object."""
    return _encoded(type_name, object_id)  # typed here: lru_cache's wrapper takes any hashable


@lru_cache(maxsize=REMEMBERED_IDS)
def _encoded(type_name: str, object_id: ObjectId) -> strawberry.ID:
    raw = f"{type_name}:{object_id}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def parse_global_id(value: str) -> tuple[str, ObjectId] | None:
    """(type name, ObjectId) inside an opaque id, or None when it is not one of ours."""
    if len(value) > MAX_ID_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        type_name, _, hex_id = raw.partition(":")
        return type_name, ObjectId(hex_id)
    except (binascii.Error, UnicodeDecodeError, InvalidId, TypeError, ValueError):
        return None


def object_id_of(value: str, type_name: str, *, argument: str) -> ObjectId:
    """The ObjectId inside an id that must name a `type_name`; errors name the argument."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        raise BadUserInputError(f"`{argument}` is not a valid {type_name} id", argument=argument)
    return parsed[1]


def optional_object_id(value: str | None, type_name: str, *, argument: str) -> ObjectId | None:
    """Like `object_id_of`, passing None through."""
    return None if value is None else object_id_of(value, type_name, argument=argument)
