"""The query corpus the read-path differential test runs: every query document in the suite.

Documents are found as they are written: string constants in tests/*.py and bench/*.py that
parse as GraphQL and hold a query operation that validates against the schema. Variables come
from the seeded data by name and type (an id variable gets a real id of the type its name
names; `$id` alone is tried as a candidate's and as a job's), so documents with variables
execute instead of failing the same way on both paths.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    type_from_ast,
    validate,
)

ROOT = Path(__file__).resolve().parent.parent
SCALAR_SAMPLES: dict[str, Any] = {
    "Int": 3,
    "Float": 1.5,
    "String": "engineer",
    "Boolean": True,
}
ID_KINDS = ("candidate", "job", "company", "submission", "recruiter", "placement")


def _string_constants(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value:
            yield node.value


def query_documents(schema: GraphQLSchema) -> list[str]:
    """Distinct valid documents with at least one query operation (mutations change data)."""
    found: dict[str, None] = {}
    sources = sorted((ROOT / "tests").glob("*.py")) + sorted((ROOT / "bench").glob("*.py"))
    for path in sources:
        for text in _string_constants(path):
            try:
                document = parse(text)
            except GraphQLError:
                continue
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
                continue
            if not validate(schema, document):
                found[text] = None
    return list(found)


def _sample(kind: GraphQLInputType, name: str, ids: dict[str, str]) -> Any:
    """A value for a required variable, or KeyError when the corpus can't make one."""
    if isinstance(kind, GraphQLNonNull):
        return _sample(kind.of_type, name, ids)
    if isinstance(kind, GraphQLList):
        return [_sample(kind.of_type, name, ids)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if kind.name == "ID":
        lowered = name.lower()
        return ids[next((k for k in ID_KINDS if k in lowered), "candidate")]
    return SCALAR_SAMPLES[kind.name]


def variable_sets(schema: GraphQLSchema, text: str, ids: dict[str, str]) -> list[dict[str, Any]]:
    """The variable values to run a document with; [] when it needs what the corpus can't make."""
    operation = next(d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode))
    required: dict[str, GraphQLInputType] = {}
    for definition in operation.variable_definitions or ():
        kind = type_from_ast(schema, definition.type)
        if isinstance(kind, GraphQLNonNull) and definition.default_value is None:
            required[definition.variable.name.value] = kind
    # a bare `$id` (a node) defaults to a candidate's id; it runs once more with a job's
    choices = [ids, {**ids, "candidate": ids["job"]}] if "id" in required else [ids]
    try:
        return [{n: _sample(k, n, choice) for n, k in required.items()} for choice in choices]
    except (KeyError, StopIteration):
        return []


def corpus(schema: GraphQLSchema, ids: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """(document, variables) pairs: every runnable query document of the suite."""
    return list(
        itertools.chain.from_iterable(
            ((text, variables) for variables in variable_sets(schema, text, ids))
            for text in query_documents(schema)
        )
    )
