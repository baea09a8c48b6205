"""AuditEvent type, its filter and the admins-only `auditEvents` root list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from bson import ObjectId

from crowdhire.context import Info
from crowdhire.errors import BadUserInputError
from crowdhire.models.audit import AuditEvent
from crowdhire.resolvers import audit as audit_resolvers
from crowdhire.resolvers.argument_rules import page_request
from crowdhire.schema.ids import encode_global_id, parse_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from

# How mutations name their targets → the GraphQL type whose ids they are.
TARGET_TYPES = {"member": "CompanyMember"}


def _type_of(kind: str) -> str:
    return TARGET_TYPES.get(kind, kind[:1].upper() + kind[1:])


@strawberry.type(name="AuditTarget", description="An object a mutation acted on.")
class AuditTargetType:
    """One target: its role in the mutation and its opaque id."""

    kind: str = strawberry.field(description="The target's role, e.g. `job` or `company`.")
    id: strawberry.ID = strawberry.field(
        description="Opaque id; Company, Job, Recruiter, Candidate, … ids resolve with `node`."
    )


_RANKED_TYPE = {"recommendedCandidates": "Candidate", "recommendedJobs": "Job"}


@strawberry.type(name="AuditEvent", description="One mutation's effect, as the audit trail has it.")
class AuditEventType:
    """Who did what to which objects, and which fields changed (names only, never values)."""

    id: strawberry.ID = strawberry.field(description="Opaque id of this event.")
    actor: str = strawberry.field(description="The Auth0 subject who made the change.")
    action: str = strawberry.field(description="The mutation, e.g. `updateJob`.")
    targets: list[AuditTargetType] = strawberry.field(description="The objects acted on.")
    changed_fields: list[str] = strawberry.field(description="Names of the fields changed.")
    at: datetime = strawberry.field(description="When it happened (UTC).")
    model_version: str | None = strawberry.field(
        description="For a recommendation list served: the model that ranked it."
    )
    returned_ids: list[strawberry.ID] = strawberry.field(
        description="For a recommendation list served: the ids shown, in rank order."
    )

    @classmethod
    def from_model(cls, event: AuditEvent) -> AuditEventType:
        """The GraphQL view of an audit event."""
        assert event.id is not None
        targets = [
            AuditTargetType(kind=kind, id=encode_global_id(_type_of(kind), ObjectId(hex_id)))
            for kind, hex_id in sorted(event.targets.items())
            if ObjectId.is_valid(hex_id)
        ]
        return cls(
            id=encode_global_id("AuditEvent", event.id),
            actor=event.actor_sub,
            action=event.action,
            targets=targets,
            changed_fields=event.changed_fields,
            at=event.at,
            model_version=event.model_version,
            returned_ids=[
                encode_global_id(_RANKED_TYPE.get(event.action, "Candidate"), ObjectId(hex_id))
                for hex_id in event.returned_ids
                if ObjectId.is_valid(hex_id)
            ],
        )


@strawberry.input(description="Filters for the audit trail; all given conditions must hold.")
class AuditEventFilter:
    """Typed audit filters: actor, target and a half-open time range."""

    actor: str | None = strawberry.field(
        default=None, description="Only events by this Auth0 subject."
    )
    target: strawberry.ID | None = strawberry.field(
        default=None, description="Only events that acted on the object with this id (any type)."
    )
    after: datetime | None = strawberry.field(
        default=None, description="Only events at or after this time."
    )
    before: datetime | None = strawberry.field(
        default=None, description="Only events before this time."
    )

    def criteria(self) -> audit_resolvers.AuditCriteria:
        """The resolver-level criteria; a malformed target id is a named error."""
        target_id = None
        if self.target is not None:
            parsed = parse_global_id(self.target)
            if parsed is None:
                message = "`filter.target` is not a valid id"
                raise BadUserInputError(message, argument="filter.target")
            target_id = parsed[1]
        return audit_resolvers.AuditCriteria(
            actor=self.actor, target_id=target_id, at_or_after=self.after, before=self.before
        )


async def resolve_audit_events(
    info: Info,
    filter: Annotated[  # noqa: A002 - GraphQL argument name
        AuditEventFilter | None, strawberry.argument(description="Conditions events must meet.")
    ] = None,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[AuditEventType]:
    """Root list of audit events, newest first (admins only)."""
    audit_resolvers.ensure_can_read_audit(info.context)  # before any argument is looked at
    criteria = filter.criteria() if filter else audit_resolvers.AuditCriteria()
    request = page_request(first, after, last, before)
    page = await audit_resolvers.list_audit_events(info.context, criteria, request)
    return connection_from(
        page,
        AuditEventType.from_model,
        lambda: audit_resolvers.count_audit_events(info.context, criteria),
    )
