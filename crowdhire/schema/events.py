"""DomainEvent: one outbox event as subscriptions, webhooks and the changes feed show it.

An event carries ids and the names of the fields that changed, never values; what a receiver
wants to know about the objects it selects through the object fields, which load through the
usual loaders under the viewer's own access rules (null when hidden, deleted or erased).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from crowdhire.context import Info
from crowdhire.models.events import EventType, OutboxEvent
from crowdhire.resolvers import candidates as candidate_resolvers
from crowdhire.resolvers import companies as company_resolvers
from crowdhire.resolvers import jobs as job_resolvers
from crowdhire.resolvers import placements as placement_resolvers
from crowdhire.resolvers import recruiters as recruiter_resolvers
from crowdhire.resolvers import submissions as submission_resolvers
from crowdhire.resolvers.events import encode_position, subject_id
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.companies import CompanyType
from crowdhire.schema.ids import encode_global_id
from crowdhire.schema.jobs import JobType
from crowdhire.schema.placements import PlacementType
from crowdhire.schema.recruiters import RecruiterType
from crowdhire.schema.submissions import SubmissionType

strawberry.enum(
    EventType,
    name="EventType",
    description="The kinds of domain event; webhook bodies carry the dotted form"
    " (SUBMISSION_CREATED is `submission.created`).",
)


@strawberry.type(name="DomainEvent", description="Something that happened, at its position.")
class DomainEventType:
    """An outbox event; the objects it names resolve as the viewer may see them now."""

    id: strawberry.ID = strawberry.field(description="Unique, opaque id of this event.")
    position: str = strawberry.field(
        description="Opaque cursor of this event's place in the one order of all events;"
        " pass it as `after` to resume behind it."
    )
    type: EventType = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it was committed (UTC).")
    actor: str = strawberry.field(
        description="Who caused it: the Auth0 subject, `stripe` for payment notices, or the"
        " candidate's own actor for consent links."
    )
    changed_fields: list[str] = strawberry.field(
        description="Names of the fields that changed (never their values)."
    )
    model: strawberry.Private[OutboxEvent]

    @classmethod
    def from_model(cls, event: OutboxEvent) -> DomainEventType:
        """The GraphQL view of an outbox event."""
        assert event.id is not None
        return cls(
            id=encode_global_id("DomainEvent", event.id),
            position=encode_position(event.position),
            type=event.type,
            occurred_at=event.occurred_at,
            actor=event.actor_sub,
            changed_fields=list(event.changed_fields),
            model=event,
        )

    @strawberry.field(description="The submission concerned, if any and visible.")
    async def submission(self, info: Info) -> SubmissionType | None:
        """Through the cached loader and the deal access rule."""
        found_id = subject_id(self.model, "submission")
        if found_id is None:
            return None
        found = await submission_resolvers.submission_by_id(info.context, found_id)
        return None if found is None else SubmissionType.from_model(found)

    @strawberry.field(description="The job concerned, if any and visible.")
    async def job(self, info: Info) -> JobType | None:
        """Through the cached loader and the job access rule."""
        found_id = subject_id(self.model, "job")
        if found_id is None:
            return None
        found = await job_resolvers.job_by_id(info.context, found_id)
        return None if found is None else JobType.from_model(found)

    @strawberry.field(description="The company concerned, if any and visible.")
    async def company(self, info: Info) -> CompanyType | None:
        """Through the cached loader."""
        found_id = subject_id(self.model, "company")
        if found_id is None:
            return None
        found = await company_resolvers.company_by_id(info.context, found_id)
        return None if found is None else CompanyType.from_model(found)

    @strawberry.field(description="The candidate concerned; null when hidden or erased.")
    async def candidate(self, info: Info) -> CandidateType | None:
        """Through the cached loader and the candidate access rule; an erased person's stub
        is never shown here, so their events lead nowhere but to ids."""
        found_id = subject_id(self.model, "candidate")
        if found_id is None:
            return None
        found = await candidate_resolvers.candidate_by_id(info.context, found_id)
        if found is None or found.erased_at is not None:
            return None
        return CandidateType.from_model(found)

    @strawberry.field(description="The recruiter concerned, if any and visible.")
    async def recruiter(self, info: Info) -> RecruiterType | None:
        """Through the cached loader (any signed-in viewer sees public profiles)."""
        found_id = subject_id(self.model, "recruiter")
        if found_id is None:
            return None
        found = await recruiter_resolvers.recruiter_by_id(info.context, found_id)
        return None if found is None else RecruiterType.from_model(found)

    @strawberry.field(description="The placement concerned, if any and visible.")
    async def placement(self, info: Info) -> PlacementType | None:
        """Through the cached loader and the deal access rule."""
        found_id = subject_id(self.model, "placement")
        if found_id is None:
            return None
        found = await placement_resolvers.placement_by_id(info.context, found_id)
        return None if found is None else PlacementType.from_model(found)
