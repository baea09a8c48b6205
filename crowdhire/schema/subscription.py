"""Root subscription fields: live domain events over graphql-transport-ws.

Each field first yields the events after its `after` cursor (a `position` it sent earlier),
then live ones, so a client that reconnects with the last position it saw misses nothing.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.events import EventType
from crowdhire.resolvers import subscriptions as rules
from crowdhire.schema.events import DomainEventType
from crowdhire.schema.ids import object_id_of

After = Annotated[
    str | None,
    strawberry.argument(
        description="The `position` of the last event received: resume right behind it."
        " Omitted: only events from now on."
    ),
]


@strawberry.type(description="Live domain events, each filtered by the subscriber's access.")
class Subscription:
    """Subscriptions; a socket authenticates once, in connection_init."""

    @strawberry.subscription(
        description="Events of one job's pipeline (submissions to it, its status); members of"
        " the job's company and admins."
    )
    async def pipeline_events(
        self,
        info: Info,
        job_id: Annotated[strawberry.ID, strawberry.argument(description="The job's id.")],
        after: After = None,
    ) -> AsyncGenerator[DomainEventType, None]:
        """Events naming the job."""
        found = object_id_of(job_id, "Job", argument="jobId")
        async for event in rules.pipeline_events(info.context, found, after):
            yield DomainEventType.from_model(event)

    @strawberry.subscription(
        description="Events of every company the viewer is a member of (jobs, submissions,"
        " placements)."
    )
    async def company_events(
        self, info: Info, after: After = None
    ) -> AsyncGenerator[DomainEventType, None]:
        """Events naming one of the viewer's companies."""
        async for event in rules.company_events(info.context, after):
            yield DomainEventType.from_model(event)

    @strawberry.subscription(
        description="Events of the viewer's own submissions (created, moved, withdrawn, hired);"
        " recruiters only."
    )
    async def my_submission_events(
        self, info: Info, after: After = None
    ) -> AsyncGenerator[DomainEventType, None]:
        """Events naming a submission of the viewing recruiter."""
        async for event in rules.my_submission_events(info.context, after):
            yield DomainEventType.from_model(event)

    @strawberry.subscription(description="Every domain event, optionally of some types; admins.")
    async def events(
        self,
        info: Info,
        types: Annotated[
            list[EventType] | None,
            strawberry.argument(description="Only these kinds of event; omitted: all."),
        ] = None,
        after: After = None,
    ) -> AsyncGenerator[DomainEventType, None]:
        """Events of the given types."""
        async for event in rules.all_events(info.context, types, after):
            yield DomainEventType.from_model(event)
