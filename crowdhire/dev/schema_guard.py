"""Refuses breaking schema changes: `schema.graphql` against the last released schema.

A breaking change (graphql-core's `find_breaking_changes`) passes only when what it breaks was
already `@deprecated` in the released schema, so clients had a release to move off it, and when
`SCHEMA-CHANGES.md` names it (its schema coordinate in backticks). Additions are never breaking;
dangerous changes (`find_dangerous_changes`) are printed, not refused.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    get_named_type,
)

ROOT = Path(__file__).resolve().parents[2]
RELEASED = ROOT / "schema.released.graphql"
CURRENT = ROOT / "schema.graphql"
CHANGELOG = ROOT / "SCHEMA-CHANGES.md"
COORDINATE = re.compile(
    r"^(?:Field |Argument |Enum value |Input field )?([_A-Za-z]\w*(?:\.\w+)?(?:\(\w+:\))?)"
)


@dataclass(frozen=True)
class Verdict:
    """What the guard found: refused breaking changes, allowed ones, and dangerous ones."""

    refused: list[str]
    allowed: list[str]
    dangerous: list[str]


def coordinate_of(description: str) -> str:
    """The schema coordinate a graphql-core change description starts with (`Job.title`)."""
    match = COORDINATE.match(description)
    return match.group(1) if match else description


def _fields(named: GraphQLNamedType) -> dict[str, object]:
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        return dict(named.fields)
    if isinstance(named, GraphQLEnumType):
        return dict(named.values)
    return {}


def _type_is_deprecated(schema: GraphQLSchema, name: str) -> bool:
    """A type has no @deprecated of its own: it is when every field or argument using it is."""
    uses: list[object] = []
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field in named.fields.values():
                if get_named_type(field.type).name == name:
                    uses.append(field)
                for argument in getattr(field, "args", {}).values():
                    if get_named_type(argument.type).name == name:
                        uses.append(argument)
    return all(getattr(use, "deprecation_reason", None) for use in uses)


def was_deprecated(schema: GraphQLSchema, coordinate: str) -> bool:
    """Whether the released schema marked this coordinate (or its field) @deprecated."""
    type_name, _, rest = coordinate.partition(".")
    named = schema.get_type(type_name)
    if named is None:
        return False
    if not rest:
        return _type_is_deprecated(schema, type_name)
    field_name, _, argument = rest.partition("(")
    member = _fields(named).get(field_name)
    if getattr(member, "deprecation_reason", None):
        return True
    if argument:
        arg = getattr(member, "args", {}).get(argument.rstrip(":)"))
        return bool(getattr(arg, "deprecation_reason", None))
    return False


def judge(released_sdl: str, current_sdl: str, changelog: str) -> Verdict:
    """Compare two schemas and decide which breaking changes may land."""
    released, current = build_schema(released_sdl), build_schema(current_sdl)
    refused, allowed = [], []
    for change in find_breaking_changes(released, current):
        coordinate = coordinate_of(change.description)
        listed = f"`{coordinate}`" in changelog
        if was_deprecated(released, coordinate) and listed:
            allowed.append(change.description)
        else:
            why = "listed in SCHEMA-CHANGES.md" if listed else "not listed in SCHEMA-CHANGES.md"
            if not was_deprecated(released, coordinate):
                why = f"not @deprecated in the released schema, {why}"
            refused.append(f"{change.description} ({why})")
    dangerous = [change.description for change in find_dangerous_changes(released, current)]
    return Verdict(refused=refused, allowed=allowed, dangerous=dangerous)


def main(argv: list[str] | None = None) -> int:
    """`make check`'s schema step: exit 1 when a breaking change may not land."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--released", type=Path, default=RELEASED)
    parser.add_argument("--current", type=Path, default=CURRENT)
    parser.add_argument("--changelog", type=Path, default=CHANGELOG)
    args = parser.parse_args(argv)
    changelog = args.changelog.read_text("utf-8") if args.changelog.exists() else ""
    verdict = judge(args.released.read_text("utf-8"), args.current.read_text("utf-8"), changelog)
    for line in verdict.dangerous:
        print(f"schema guard: dangerous (allowed): {line}")
    for line in verdict.allowed:
        print(f"schema guard: breaking, deprecated and listed (allowed): {line}")
    for line in verdict.refused:
        print(f"schema guard: BREAKING: {line}", file=sys.stderr)
    if verdict.refused:
        print(
            "schema guard: deprecate first (@deprecated in one release), list the coordinate in"
            " SCHEMA-CHANGES.md, remove in a later release",
            file=sys.stderr,
        )
        return 1
    print(f"schema guard: {args.current.name} is compatible with {args.released.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
