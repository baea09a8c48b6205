"""The GraphQL schema: domain types merged into one Schema."""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from graphql.error import GraphQLError
from strawberry.types import ExecutionContext

from crowdhire.graphql.budget import Budget
from crowdhire.graphql.compiled import CompiledExecutionContext
from crowdhire.graphql.cost import CostGuard
from crowdhire.graphql.limits import ExtensionFactory, limit_extensions
from crowdhire.graphql.masking import ErrorPresenter
from crowdhire.graphql.observer import OperationObserver
from crowdhire.graphql.response_cache import ResponseCache
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.companies import CompanyType
from crowdhire.schema.jobs import JobType
from crowdhire.schema.mutation import Mutation
from crowdhire.schema.placements import PlacementType
from crowdhire.schema.query import Query
from crowdhire.schema.recruiters import RecruiterType
from crowdhire.schema.submissions import SubmissionType
from crowdhire.schema.subscription import Subscription
from crowdhire.settings import Settings


# Hardening: validation limits, query cost and budget, no suggestions
def _hardening(settings: Settings | None, budget: Budget | None) -> list[ExtensionFactory]:
    if settings is None:
        return []
    guard = partial(CostGuard, max_cost=settings.max_query_cost, budget=budget)
    return [*limit_extensions(settings), guard, *_response_cache(settings)]


def _response_cache(settings: Settings) -> list[ExtensionFactory]:
    """After the limits and the budget: cached answers are refused and charged alike."""
    if not (settings.cache_enabled and settings.response_cache_enabled):
        return []
    ttl, max_bytes = settings.response_cache_ttl_seconds, settings.response_cache_max_bytes
    return [partial(ResponseCache, ttl=ttl, max_bytes=max_bytes)]


def _executor(settings: Settings | None) -> type[CompiledExecutionContext] | None:
    """Compiled readers unless settings turn them off (None: graphql-core's own executor)."""
    if settings is not None and not settings.graphql_compiled_execution:
        return None
    return CompiledExecutionContext


class CrowdhireSchema(strawberry.Schema):
    """A Schema whose error logging is done once, by ErrorPresenter, with an error id."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged where they are masked; nothing to do here."""

    def _get_custom_context_kwargs(
        self, operation_extensions: dict[str, Any] | None = None, *, sync: bool = False
    ) -> dict[str, Any]:
        # Hardening: no "Did you mean" in variable coercion errors; bounded coercion errors.
        kwargs = super()._get_custom_context_kwargs(operation_extensions, sync=sync)
        return {**kwargs, "hide_suggestions": True, "max_coercion_errors": 5}


def build_schema(
    settings: Settings | None = None, *, budget: Budget | None = None, **options: Any
) -> strawberry.Schema:
    """The crowdhire schema with its error presentation and (given settings) its limits."""
    return CrowdhireSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[CompanyType, RecruiterType, CandidateType, JobType, SubmissionType, PlacementType],
        # OperationObserver first: it then sees the errors as ErrorPresenter leaves them.
        extensions=[OperationObserver, *_hardening(settings, budget), ErrorPresenter],
        execution_context_class=_executor(settings),
        **options,
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
