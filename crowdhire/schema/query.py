"""The root Query type."""

from __future__ import annotations

from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.schema.audit import AuditEventType, resolve_audit_events
from crowdhire.schema.candidates import CandidateType, resolve_candidates
from crowdhire.schema.changes import ChangeConnection, resolve_changes
from crowdhire.schema.companies import CompanyType, resolve_companies
from crowdhire.schema.ids import Node
from crowdhire.schema.job_board import JobBoardType, resolve_job_board
from crowdhire.schema.jobs import JobType, resolve_jobs
from crowdhire.schema.node import load_node, load_nodes
from crowdhire.schema.pagination import Connection
from crowdhire.schema.placements import PlacementType, resolve_placements
from crowdhire.schema.recruiters import RecruiterType, resolve_recruiters
from crowdhire.schema.submissions import SubmissionType, resolve_submissions
from crowdhire.schema.webhooks import WebhookEndpointType, resolve_webhook_endpoints


@strawberry.type(description="Everything crowdhire lets you read.")
class Query:
    """Root fields: Relay node lookups and one connection per domain."""

    @strawberry.field(description="Any object by its opaque id; null when not found.")
    async def node(
        self,
        info: Info,
        id: Annotated[  # noqa: A002 - Relay's argument name
            strawberry.ID, strawberry.argument(description="An id from any object's `id`.")
        ],
    ) -> Node | None:
        """Dispatches on the type inside the id."""
        return await load_node(info.context, id)

    @strawberry.field(description="Objects by opaque ids, in the same order; null where missing.")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Up to 100 ids.")],
    ) -> list[Node | None]:
        """Batched per type through the loaders."""
        return await load_nodes(info.context, list(ids))

    companies: Connection[CompanyType] = strawberry.field(
        resolver=resolve_companies, description="All companies."
    )
    jobs: Connection[JobType] = strawberry.field(
        resolver=resolve_jobs, description="Jobs, filtered and ordered."
    )
    job_board: JobBoardType | None = strawberry.field(
        resolver=resolve_job_board,
        description="A company's public careers page by its slug; null for an unknown slug.",
    )
    recruiters: Connection[RecruiterType] = strawberry.field(
        resolver=resolve_recruiters, description="All recruiters."
    )
    candidates: Connection[CandidateType] = strawberry.field(
        resolver=resolve_candidates, description="Candidates, filtered and ordered."
    )
    submissions: Connection[SubmissionType] = strawberry.field(
        resolver=resolve_submissions, description="Submissions, filtered and ordered."
    )
    placements: Connection[PlacementType] = strawberry.field(
        resolver=resolve_placements, description="Placements, filtered and ordered."
    )
    webhook_endpoints: list[WebhookEndpointType] = strawberry.field(
        resolver=resolve_webhook_endpoints,
        description="Webhook endpoints of a company (its owners), or the admins' own (admins).",
    )
    changes: ChangeConnection = strawberry.field(
        resolver=resolve_changes,
        description="Records created, updated and deleted, oldest first, for keeping a copy.",
    )
    audit_events: Connection[AuditEventType] = strawberry.field(
        resolver=resolve_audit_events, description="The audit trail, newest first (admins only)."
    )
