"""Lookahead from a connection into a field of its nodes, as the executor will run that field.

A page of jobs can load the first window of every job's submissions in one batch before the
executor reaches them, and each job's `submissions` then answers at once instead of as one
awaitable (and a task) per job. That needs what each node's field will be asked: its
arguments and its own selection. Strawberry's `selected_fields` gives literals as strings and
ignores `@skip`/`@include`, so this asks graphql-core's own `collect_subfields` and
`get_argument_values`, which the executor itself uses: the arguments come out coerced the same
way, and the field nodes are the very nodes the resolver's info will carry (so lookahead under
them, crowdhire.schema.relations, gives the resolver's answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo, get_named_type
from graphql.execution.collect_fields import (
    FieldDetails,
    FieldDetailsList,
    FragmentDetails,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from crowdhire.context import Info


@dataclass(frozen=True)
class NodeField:
    """One selection of a field on a connection's nodes (one per response key)."""

    info: Info
    """The field's resolve info as under the first node (its field nodes are what matter)."""
    arguments: dict[str, Any]
    """Coerced by graphql-core, by GraphQL name, defaults applied (before Strawberry's
    conversion: enum arguments hold their GraphQL values)."""


def node_fields(info: Info, name: str) -> tuple[NodeField, ...]:
    """Every selection of the nodes' field `name` under this connection field, through `nodes`
    or `edges { node }`; empty where it cannot be worked out exactly (fragment variables)."""
    raw = info._raw_info  # Strawberry has no accessor for the executor's info
    key = (f"node_fields.{name}", tuple(map(id, raw.field_nodes)))
    known = info.context.node_fields.get(key)
    if known is None:
        known = info.context.node_fields[key] = tuple(_work_out(info, raw, name))
    return known


def _work_out(info: Info, raw: GraphQLResolveInfo[Any], name: str) -> list[NodeField]:
    fragments = raw.fragments
    if any(fragment.variable_definitions for fragment in fragments.values()):
        return []
    details = {key: FragmentDetails(fragment) for key, fragment in fragments.items()}
    # Strawberry hands resolvers the coerced dict only. graphql-core reads variables from
    # `coerced`; `sources` serve fragment variables (declined above) and the re-coercion of
    # custom-scalar literals, which the window arguments and `@skip`/`@include` do not have.
    coerced: dict[str, Any] = raw.variable_values  # type: ignore[assignment]  # see above
    variables = VariableValues({}, coerced)

    def subfields(
        parent: GraphQLObjectType, field_details: FieldDetailsList
    ) -> dict[str, FieldDetailsList]:
        collected = collect_subfields(
            raw.schema, details, variables, raw.operation, parent, field_details
        )
        return collected.grouped_field_set

    connection = get_named_type(raw.return_type)
    if not isinstance(connection, GraphQLObjectType):
        return []
    own = [FieldDetails(node, None) for node in raw.field_nodes]
    found: list[NodeField] = []
    for node_type, node_details in _node_selections(
        connection, subfields(connection, own), subfields
    ):
        base = Path(Path(raw.path, node_details[0].node.name.value, connection.name), 0, None)
        for response_name, wanted in subfields(node_type, node_details).items():
            first = wanted[0]
            if first.node.name.value != name or first.fragment_variable_values is not None:
                continue
            field = node_type.fields[name]
            arguments = get_argument_values(field, first.node, variables)
            nested = raw._replace(
                field_name=name,
                field_nodes=[each.node for each in wanted],
                return_type=field.type,
                parent_type=node_type,
                path=Path(base, response_name, node_type.name),
            )
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(definition, StrawberryField):
                continue
            found.append(NodeField(type(info)(_raw_info=nested, _field=definition), arguments))
    return found


def _node_selections(
    connection: GraphQLObjectType, grouped: dict[str, FieldDetailsList], subfields: Any
) -> list[tuple[GraphQLObjectType, FieldDetailsList]]:
    """(node type, the field details selecting into a node) for `nodes` and `edges { node }`."""
    found: list[tuple[GraphQLObjectType, FieldDetailsList]] = []
    for field_details in grouped.values():
        field_name = field_details[0].node.name.value
        if field_name not in ("nodes", "edges"):
            continue
        inner = get_named_type(connection.fields[field_name].type)
        if not isinstance(inner, GraphQLObjectType):
            continue
        if field_name == "nodes":
            found.append((inner, field_details))
            continue
        for edge_details in subfields(inner, field_details).values():
            if edge_details[0].node.name.value != "node":
                continue
            node_type = get_named_type(inner.fields["node"].type)
            if isinstance(node_type, GraphQLObjectType):
                found.append((node_type, edge_details))
    return found
