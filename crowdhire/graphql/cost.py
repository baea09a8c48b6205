"""Static query cost, checked before execution, and the per-identity budget it is charged to.

Rules: leaf fields (scalars, enums) cost 0; every object costs 1; a connection (a field taking
`first`/`last`) multiplies the lists inside it (`edges`, `nodes`) by `first`/`last` (default 20,
capped at 100 as the resolvers cap it); `nodes(ids:)` multiplies by the number of ids.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)
from graphql.type import GraphQLInterfaceType
from graphql.utilities import get_operation_ast, value_from_ast_untyped
from strawberry.extensions import SchemaExtension

from crowdhire.context import Context
from crowdhire.graphql.budget import Budget, CostReport

DEFAULT_PAGE = 20
MAX_PAGE = 100
COST_CODE = "COST_LIMIT_EXCEEDED"
RATE_LIMITED = "RATE_LIMITED"


def _is_list(type_: GraphQLOutputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)


class _Estimator:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any]
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def _argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None

    def _page_size(self, node: FieldNode) -> int:
        for name in ("first", "last"):
            value = self._argument(node, name)
            if isinstance(value, int):
                return max(0, min(value, MAX_PAGE))
        return DEFAULT_PAGE

    def selection_cost(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType, list_size: int
    ) -> int:
        """Cost of a selection set; lists directly inside it repeat `list_size` times."""
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent, list_size)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(selection.selection_set, target or parent, list_size)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection_cost(
                        fragment.selection_set, target or parent, list_size
                    )
        return total

    def field_cost(self, node: FieldNode, parent: GraphQLNamedType, list_size: int) -> int:
        """Cost of one field: 0 for leaves, 1 per object plus its children."""
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        field = parent.fields.get(node.name.value)
        if field is None:  # __typename and other meta fields
            return 0
        named = get_named_type(field.type)
        if is_leaf_type(named):
            return 0
        if "first" in field.args or "last" in field.args:
            return 1 + self.selection_cost(node.selection_set, named, self._page_size(node))
        repeat = 1
        if _is_list(field.type):
            ids = self._argument(node, "ids")
            repeat = len(ids) if isinstance(ids, list) else list_size
        return repeat * (1 + self.selection_cost(node.selection_set, named, 1))


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The static cost of the operation a (valid) document would run."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return _Estimator(schema, document, values).selection_cost(operation.selection_set, root, 1)


def identity_of(context: Context) -> str:
    """Whose budget pays: the viewer's `sub`, else the client's IP address."""
    if context.viewer.sub:
        return f"sub:{context.viewer.sub}"
    request = context.request
    host = request.client.host if request is not None and request.client else "unknown"
    return f"ip:{host}"


class CostGuard(SchemaExtension):
    """Refuses queries over `max_cost`, charges the budget, reports `extensions.cost`."""

    def __init__(self, *, max_cost: int, budget: Budget | None) -> None:
        self.max_cost = max_cost
        self.budget = budget
        self.report: CostReport | None = None

    def _context(self) -> Context | None:
        context = self.execution_context.context
        return context if isinstance(context, Context) else None

    async def on_validate(self) -> AsyncIterator[None]:
        """After validation passed: estimate, enforce the per-query cap, then charge."""
        execution = self.execution_context
        if execution.pre_execution_errors or execution.graphql_document is None:
            yield
            return
        cost = query_cost(
            execution.schema._schema,
            execution.graphql_document,
            execution.operation_name,
            execution.variables,
        )
        if cost > self.max_cost:
            execution.pre_execution_errors = [
                GraphQLError(
                    f"Query cost {cost} exceeds the limit of {self.max_cost} per query;"
                    " ask for fewer items (`first`/`last`) or fewer nested lists",
                    extensions={"code": COST_CODE, "cost": cost, "limit": self.max_cost},
                )
            ]
            await self._charge(0)
        else:
            await self._charge(cost)
        yield

    async def _charge(self, cost: int) -> None:
        context = self._context()
        if self.budget is None or context is None:
            return
        self.report = await self.budget.charge(identity_of(context), cost)
        if not self.report.exhausted:
            return
        execution = self.execution_context
        if not execution.pre_execution_errors:
            execution.pre_execution_errors = [
                GraphQLError(
                    f"Query cost budget exhausted: {self.report.remaining} of"
                    f" {self.report.limit} points left; retry after {self.report.retry_after}s",
                    extensions={"code": RATE_LIMITED, "retryAfter": self.report.retry_after},
                )
            ]
            if context.response is not None:
                context.response.status_code = 429
                context.response.headers["Retry-After"] = str(self.report.retry_after)

    async def get_results(self) -> dict[str, Any]:
        """`extensions.cost` on every response, including refused ones."""
        if self.report is None:
            await self._charge(0)
        return {"cost": self.report.as_extension()} if self.report else {}
