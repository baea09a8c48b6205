"""What a webhook receiver asks to be sent: a GraphQL selection on `DomainEvent`.

A selection is checked once, at registration, against a schema whose root type is
`DomainEvent` (derived from the served schema, so it sees the same types and resolvers), and
stored as a normalized query document. The same caps as for a query apply: tokens, depth,
aliases; the static cost is checked where the engine's estimator lives, at delivery.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    print_ast,
    validate,
)

from crowdhire.resolvers.transactions import MutationRefused, refuse
from crowdhire.settings import Settings

ROOT_TYPE = "DomainEvent"
MAX_SELECTION_CHARS = 8000


@lru_cache(maxsize=4)
def event_schema(served: GraphQLSchema) -> GraphQLSchema:
    """The served schema's types with `DomainEvent` as the query root."""
    root = served.get_type(ROOT_TYPE)
    assert isinstance(root, GraphQLObjectType), "the schema defines DomainEvent"
    named = [t for name, t in served.type_map.items() if not name.startswith("__")]
    derived = GraphQLSchema(query=root, types=named, directives=served.directives)
    # strawberry's Info reaches its schema through this attribute of the graphql-core one
    derived._strawberry_schema = getattr(served, "_strawberry_schema", None)  # type: ignore[attr-defined]
    return derived


def _invalid(message: str) -> MutationRefused:
    return refuse(("selection",), "INVALID_SELECTION", message)


def _as_document(text: str, max_tokens: int) -> DocumentNode:
    stripped = text.strip()
    keyword = stripped.split(None, 1)[0] if stripped else ""
    wrapped = stripped if stripped.startswith("{") or keyword in {
        "query", "subscription", "fragment"
    } else "{ " + stripped + " }"  # fmt: skip
    try:
        return parse(wrapped, no_location=True, max_tokens=max_tokens)
    except GraphQLError as error:
        raise _invalid(f"selection does not parse: {error.message}") from None


def _one_operation(document: DocumentNode) -> DocumentNode:
    """One query on DomainEvent: a subscription's selection is taken as is, a lone fragment
    on DomainEvent is spread into an operation of its own."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    if len(operations) > 1 or (not operations and len(fragments) != 1):
        raise _invalid("selection must be one operation or one fragment on DomainEvent")
    if operations:
        selection = operations[0].selection_set
    else:
        fragment = fragments[0]
        if fragment.type_condition.name.value != ROOT_TYPE:
            raise _invalid("a selection fragment must be `on DomainEvent`")
        spread = FragmentSpreadNode(name=NameNode(value=fragment.name.value), directives=())
        selection = SelectionSetNode(selections=(spread,))
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        selection_set=selection,
        variable_definitions=(),
        directives=(),
    )
    return DocumentNode(definitions=(operation, *fragments))


def _depth(selection: SelectionSetNode | None, fragments: dict[str, SelectionSetNode]) -> int:
    if selection is None:
        return 0
    deepest = 0
    for node in selection.selections:
        if isinstance(node, FieldNode):
            deepest = max(deepest, 1 + _depth(node.selection_set, fragments))
        elif isinstance(node, InlineFragmentNode):
            deepest = max(deepest, _depth(node.selection_set, fragments))
        elif isinstance(node, FragmentSpreadNode):
            inner = fragments.pop(node.name.value, None)  # each fragment counted once: no cycles
            deepest = max(deepest, _depth(inner, fragments))
    return deepest


def _aliases(selection: SelectionSetNode | None) -> int:
    if selection is None:
        return 0
    count = 0
    for node in selection.selections:
        if isinstance(node, FieldNode):
            count += int(node.alias is not None) + _aliases(node.selection_set)
        elif isinstance(node, InlineFragmentNode):
            count += _aliases(node.selection_set)
    return count


def checked_selection(served: GraphQLSchema, text: str, settings: Settings) -> str:
    """The normalized document a valid selection is stored as; refuses an invalid one."""
    if len(text) > MAX_SELECTION_CHARS:
        raise _invalid(f"selection is longer than {MAX_SELECTION_CHARS} characters")
    document = _one_operation(_as_document(text, settings.max_tokens))
    errors = validate(event_schema(served), document, max_errors=settings.max_validation_errors)
    if errors:
        raise _invalid("; ".join(e.message for e in errors[:3]))
    fragments = {
        d.name.value: d.selection_set
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    aliases = _aliases(operation.selection_set) + sum(map(_aliases, fragments.values()))
    if _depth(operation.selection_set, dict(fragments)) > settings.max_query_depth:
        raise _invalid(f"selection is nested deeper than {settings.max_query_depth} levels")
    if aliases > settings.max_aliases:
        raise _invalid(f"selection has more than {settings.max_aliases} aliases")
    return print_ast(document)
