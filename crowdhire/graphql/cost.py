"""Static query cost, checked before execution, and the per-identity budget it is charged to.

The cost predicts the server time a query takes when the response cache does not answer it
(`python -m bench.calibrate` measures it; README, "Cost calibration"). Measured, time is a fixed
part per request plus a part per object completed (graphql-core's per-object work and building
documents); a loader batch (one round trip per relation level, whatever the list length) adds
little on a hot database. So a query costs a base, plus each loader batch once per place in the
document, plus each object it may return, multiplied through the page sizes of the connections
above it (`first`/`last`; default 20, capped at 100 as the resolvers cap them; `nodes(ids:)` by
the number of ids). Pricing objects, not connections, keeps list multiplication refused:
`first: 100` three deep is a million objects.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
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

# Fitted with `python -m bench.calibrate` (README, "Cost calibration"): the weights that keep
# cost / server time in the narrowest band over the calibration queries.
POINTS_PER_QUERY = 16.0
POINTS_PER_BATCH = 5.0
POINTS_PER_OBJECT = 0.4


@dataclass
class Work:
    """What a query may make the server do: loader batches and objects completed."""

    batches: int = 0
    objects: int = 0

    def add(self, other: Work, times: int = 1) -> None:
        """Add `other`'s objects `times` over (its batches run once per place in the document)."""
        self.batches += other.batches
        self.objects += other.objects * times

    @property
    def points(self) -> int:
        """The charge, rounded up."""
        raw = POINTS_PER_QUERY + POINTS_PER_BATCH * self.batches
        return math.ceil(raw + POINTS_PER_OBJECT * self.objects)


def page_size(present: bool, value: Any) -> int:
    """How many items a connection may return, priced as its resolver would read `value`.

    An absent argument takes the resolver's default; an integral number (JSON variables may send
    `100.0`) is clamped like the resolvers clamp it; anything else is priced at the maximum, so a
    value the estimator cannot read never makes a query cheaper than it runs.
    """
    if not present:
        return DEFAULT_PAGE
    if isinstance(value, bool) or not isinstance(value, int | float):
        return MAX_PAGE
    if isinstance(value, float) and not value.is_integer():
        return MAX_PAGE
    return max(0, min(int(value), MAX_PAGE))


def _is_list(type_: GraphQLOutputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)


def _is_wrapper(type_: GraphQLNamedType) -> bool:
    """Connections and edges hold what their parent already loaded: no round trip of their own."""
    return type_.name.endswith(("Connection", "Edge"))


def _is_entity(type_: GraphQLNamedType) -> bool:
    return isinstance(type_, GraphQLObjectType | GraphQLInterfaceType) and (
        type_.name == "Node" or any(i.name == "Node" for i in type_.interfaces)
    )


class _Estimator:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any]
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def _argument(self, node: FieldNode, name: str) -> tuple[bool, Any]:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return True, value_from_ast_untyped(argument.value, self.variables)
        return False, None

    def _page_size(self, node: FieldNode) -> int:
        for name in ("first", "last"):
            present, value = self._argument(node, name)
            if present and value is not None:  # null: the resolver's default applies
                return page_size(True, value)
        return page_size(False, None)

    def selection_work(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType, list_size: int
    ) -> Work:
        """Work of a selection set; lists directly inside it repeat `list_size` times."""
        total = Work()
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total.add(self.field_work(selection, parent, list_size))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total.add(self.selection_work(selection.selection_set, target or parent, list_size))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total.add(
                        self.selection_work(fragment.selection_set, target or parent, list_size)
                    )
        return total

    def field_work(self, node: FieldNode, parent: GraphQLNamedType, list_size: int) -> Work:
        """Work of one field: nothing for leaves; objects, and a batch where it loads."""
        work = Work()
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return work
        field = parent.fields.get(node.name.value)
        if field is None:  # __typename and other meta fields
            return work
        named = get_named_type(field.type)
        if is_leaf_type(named):
            return work
        if "first" in field.args or "last" in field.args:
            work.batches, work.objects = 1, 1
            work.add(self.selection_work(node.selection_set, named, self._page_size(node)))
            return work
        repeat = 1
        if _is_list(field.type):
            present, ids = self._argument(node, "ids")
            repeat = (len(ids) if isinstance(ids, list) else MAX_PAGE) if present else list_size
        loads = not _is_wrapper(parent) and (_is_list(field.type) or _is_entity(named))
        inner = Work(batches=1 if loads else 0, objects=1)
        inner.add(self.selection_work(node.selection_set, named, 1))
        work.add(inner, repeat)
        return work


def query_work(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> Work:
    """The batches and objects the operation a (valid) document would run may cause."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return Work()
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return Work()
    return _Estimator(schema, document, values).selection_work(operation.selection_set, root, 1)


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The static cost, in points, of the operation a (valid) document would run."""
    return query_work(schema, document, operation_name, variables).points


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
        if self.report is not None and self.budget is not None:
            self.report = self.budget.refreshed(self.report)  # other replicas' spending too
        return {"cost": self.report.as_extension()} if self.report else {}
