"""Compiled execution: readers for plain-data fields, direct resolver calls, flat object lists.

Each selection set is compiled once per request into a plan: a field reader
(crowdhire.graphql.field_readers) for a plain-data field; for a resolver field whose Strawberry
wrapping does nothing (crowdhire.graphql.direct_resolvers), its function, called directly with
its arguments coerced once per field node in a request, then completed as `execute_field`
would. Everything else (middleware, field extensions, `@stream` on a plain field) runs through
the standard `execute_field`. A list of plain objects of one type completes each object
straight into `execute_fields`.

Nothing here decides an error: readers step aside and the standard path raises; direct calls
and list items are located and recorded by graphql-core's own `handle_field_error`. The
responses stay byte-identical (tests/test_compiled_execution.py compares them).
"""

from __future__ import annotations

from typing import Any, TypeVar

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.execution.values import get_argument_values
from graphql.language import FieldNode
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from crowdhire.graphql.direct_resolvers import DirectResolve, direct_resolver
from crowdhire.graphql.field_readers import STEP_ASIDE, Reader, field_reader, streams

_NO_ARGUMENTS: dict[str, Any] = {}  # never mutated: direct resolvers copy what they pass on
Direct = tuple[GraphQLField, DirectResolve]
Entry = tuple[str, FieldDetailsList, Reader | None, Direct | None]
Results = TypeVar("Results", dict[str, Any], list[Any])


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with compiled readers for plain-data fields (see module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(grouped field set) → (the set, kept alive so its id is not reused, its plan)
        self._plans: dict[int, tuple[GroupedFieldSet, list[Entry]]] = {}
        # (id(field node), id(field)) → (the node, kept alive, its coerced arguments)
        self._coerced: dict[tuple[int, int], tuple[FieldNode, dict[str, Any]]] = {}

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Entry]:
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        plan: list[Entry] = []
        # Strawberry always passes a manager; it wraps resolvers only when an extension
        # implements `resolve`, and then every field must go through it.
        manager = self.middleware_manager
        wrapped = manager is not None and bool(manager.middlewares)
        for response_name, details in fields.items():
            field = self.schema.get_field(parent_type, details[0].node.name.value)
            reader = None if wrapped else field_reader(field, details, self.is_awaitable)
            resolve = None if wrapped or reader is not None else direct_resolver(field)
            direct = None if field is None or resolve is None else (field, resolve)
            plan.append((response_name, details, reader, direct))
        self._plans[id(fields)] = (fields, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, with compiled readers tried first."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, details, reader, direct in self._plan(
                parent_type, grouped_field_set
            ):
                if reader is not None:
                    value = reader(source_value)
                    if value is not STEP_ASIDE:
                        results[response_name] = value
                        continue
                field_path = Path(path, response_name, parent_type.name)
                if direct is not None:
                    result = self._execute_direct(
                        direct, parent_type, source_value, details, field_path, position_context
                    )
                else:
                    result = self.execute_field(
                        parent_type, source_value, details, field_path, position_context
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                # as graphql-core: settle the other fields' awaitables, they may fail too
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather(results, awaitable_fields)

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's list completion, except that each object of a list of one object type
        goes straight to `execute_fields`: the spec's CompleteValue for it, without the five
        calls graphql-core makes per item to get there (550 objects on the jobs page). Lists
        with anything else in them (nulls, errors, awaitables, objects `is_type_of` refuses),
        `@stream`, `@defer` and incremental delivery take graphql-core's path unchanged."""
        item_type = return_type.of_type
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        items = result if type(result) is list or type(result) is tuple else None
        if (
            position_context is not None
            or items is None
            or not isinstance(object_type, GraphQLObjectType)
            or streams(field_details_list)
        ):
            return super().complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )
        grouped, new_defer_usages, _forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages or not self._plain_objects(object_type, items, info):
            return super().complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )
        return self._complete_objects(
            object_type, item_type, field_details_list, path, items, grouped
        )

    def _plain_objects(self, object_type: GraphQLObjectType, items: Any, info: Any) -> bool:
        """No item that graphql-core would do anything but execute the subfields of (its
        `is_type_of` is a pure check: asking it twice changes nothing)."""
        is_awaitable, is_type_of = self.is_awaitable, object_type.is_type_of
        for item in items:
            if item is None or isinstance(item, Exception) or is_awaitable(item):
                return False
            if is_type_of is not None and is_type_of(item, info) is not True:
                return False
        return True

    def _complete_objects(
        self,
        object_type: GraphQLObjectType,
        item_type: GraphQLOutputType,
        details: FieldDetailsList,
        path: Path,
        items: Any,
        grouped: GroupedFieldSet,
    ) -> Any:
        """`complete_iterable_value` for plain objects: the same paths, errors and settling."""
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                try:
                    value = self.execute_fields(object_type, item, item_path, grouped, None)
                except Exception as raw_error:  # noqa: BLE001 — located, as graphql-core
                    self.handle_field_error(raw_error, item_type, details, item_path)
                    value = None
                if is_awaitable(value):
                    value = self._await_completed(value, item_type, details, item_path)
                    pending.append(index)
                completed.append(value)
        except Exception:
            if pending:  # as graphql-core: settle the items' awaitables, they may fail too
                self.settle_in_background([completed[index] for index in pending])
            raise
        if not pending:
            return completed
        return self._gather(completed, pending)

    def _arguments(self, field: GraphQLField, details: FieldDetailsList) -> dict[str, Any]:
        """graphql-core's coerced arguments, once per field node and definition in a request
        (the variables are the request's); the same dict each time (see direct_resolvers).
        Arguments of a fragment with variables of its own are coerced per call."""
        first = details[0]
        node = first.node
        if not field.args and not node.arguments:
            return _NO_ARGUMENTS
        own_variables = first.fragment_variable_values
        key = (id(node), id(field))  # the node kept in the value: its id cannot be reused
        known = self._coerced.get(key) if own_variables is None else None
        if known is not None:
            return known[1]
        coerced = get_argument_values(
            field, node, self.variable_values, own_variables, self.hide_suggestions
        )
        if own_variables is None:
            self._coerced[key] = (node, coerced)
        return coerced

    def _execute_direct(
        self,
        direct: Direct,
        parent_type: GraphQLObjectType,
        source: Any,
        details: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_field` for a field without middleware, calling
        its resolver directly (crowdhire.graphql.direct_resolvers); the same completion and
        the same error handling."""
        field, resolve = direct
        return_type = field.type
        info = self.build_resolve_info(field, to_nodes(details), parent_type, path)
        try:
            result = resolve(source, info, self._arguments(field, details))
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, details, info, path, result, position_context
                )
            completed = self.complete_value(
                return_type, details, info, path, result, position_context
            )
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, details, path)
        except Exception as raw_error:  # noqa: BLE001 — located and recorded, as graphql-core
            self.handle_field_error(raw_error, return_type, details, path)
            return None
        return completed

    async def _await_completed(
        self, completed: Any, return_type: GraphQLOutputType, details: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:  # noqa: BLE001 — located and recorded, as graphql-core
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    @staticmethod
    async def _gather(results: Results, awaitable: list[Any]) -> Results:
        """Await the entries of `results` (an object's fields, a list's items) at the keys in
        `awaitable` together, and put what they give in their place."""
        if len(awaitable) == 1:
            key = awaitable[0]
            results[key] = await results[key]
            return results
        awaited = await gather_with_cancel(*(results[key] for key in awaitable))
        for key, value in zip(awaitable, awaited, strict=True):
            results[key] = value
        return results
