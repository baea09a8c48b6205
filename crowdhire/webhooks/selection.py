"""Running an endpoint's selection for one event, as the endpoint's owner would see it.

The owner is the role, not a person: a company endpoint runs as an owner of its company (what
any of its owners' queries would show), an admin endpoint as an admin. Each run gets a context
with fresh loaders, as a subscription's events do, so it shows the objects as they are when the
attempt is made; access rules, erasure and nulls are those of a query. Errors travel as their
messages only.
"""

from __future__ import annotations

import logging
from inspect import isawaitable
from typing import Any

from graphql import GraphQLError, GraphQLSchema, execute, parse

from crowdhire.auth.viewer import ADMIN_PERMISSION, Viewer
from crowdhire.cache import ObjectCache
from crowdhire.context import build_context
from crowdhire.graphql.cost import query_cost
from crowdhire.graphql.masking import UNEXPECTED_MESSAGE, ErrorPresenter
from crowdhire.graphql.schema import build_schema
from crowdhire.models.companies import MemberRole
from crowdhire.models.events import OutboxEvent
from crowdhire.models.webhooks import WebhookEndpoint
from crowdhire.schema.events import DomainEventType
from crowdhire.schema.webhook_selection import event_schema
from crowdhire.settings import Settings

log = logging.getLogger("crowdhire.webhooks")
_SCHEMAS: list[GraphQLSchema] = []


def _schema() -> GraphQLSchema:
    if not _SCHEMAS:
        _SCHEMAS.append(event_schema(build_schema()._schema))
    return _SCHEMAS[0]


def owner_viewer(endpoint: WebhookEndpoint) -> Viewer:
    """Who the selection runs as: an owner of the endpoint's company, or an admin."""
    sub = f"webhook|{endpoint.id}"
    if endpoint.company_id is None:
        return Viewer(sub=sub, permissions=frozenset({ADMIN_PERMISSION}))
    return Viewer(sub=sub, company_roles={endpoint.company_id: MemberRole.OWNER})


async def run_selection(
    settings: Settings, cache: ObjectCache, endpoint: WebhookEndpoint, event: OutboxEvent
) -> dict[str, Any]:
    """`{"selection": ...}` and, when something failed, `{"selectionErrors": [...]}`."""
    assert endpoint.selection is not None
    schema = _schema()
    document = parse(endpoint.selection, no_location=False)
    cost = query_cost(schema, document)
    if cost > settings.max_query_cost:
        message = f"selection costs {cost} points, more than the {settings.max_query_cost} allowed"
        return {"selection": None, "selectionErrors": [{"message": message, "path": []}]}
    context = build_context(settings, cache, viewer=owner_viewer(endpoint))
    running = execute(
        schema, document, root_value=DomainEventType.from_model(event), context_value=context
    )
    result = await running if isawaitable(running) else running
    shown: dict[str, Any] = {"selection": result.data}
    if result.errors:
        shown["selectionErrors"] = [_presented(e) for e in result.errors]
    return shown


def _presented(error: GraphQLError) -> dict[str, Any]:
    """Message and path; an unexpected exception's message is logged, never sent."""
    message = error.message
    if ErrorPresenter._should_mask(error):
        log.error("webhook selection failed at %s", error.path, exc_info=error.original_error)
        message = UNEXPECTED_MESSAGE
    return {"message": message, "path": list(error.path or [])}
