"""A submission's history entries, with the actor shown by role and name."""

from __future__ import annotations

from datetime import datetime

import strawberry

from crowdhire.context import Info
from crowdhire.models.submissions import Stage, StageChange, Submission
from crowdhire.resolvers import stage_history as rules

# registers the resolvers' enum with the schema (it returns the same class)
strawberry.enum(rules.ActorRole, name="StageChangeActorRole", description="Which side moved.")


@strawberry.type(name="StageChange", description="One recorded move through the pipeline.")
class StageChangeType:
    """A history entry."""

    from_stage: Stage | None = strawberry.field(description="Stage before (null at creation).")
    to_stage: Stage = strawberry.field(description="Stage after.")
    at: datetime = strawberry.field(description="When it happened (UTC).")
    note: str = strawberry.field(description="Note recorded with the move.")
    change: strawberry.Private[StageChange]
    submission: strawberry.Private[Submission]

    @classmethod
    def from_model(cls, change: StageChange, submission: Submission) -> StageChangeType:
        """The GraphQL view of a history entry."""
        return cls(
            from_stage=change.from_stage,
            to_stage=change.to_stage,
            at=change.at,
            note=change.note,
            change=change,
            submission=submission,
        )

    @strawberry.field(
        description="Auth0 subject of who made the move: for admins and for your own moves;"
        " null otherwise (see actorRole and actorName)."
    )
    def actor(self, info: Info) -> str | None:
        """Raw subjects are not shown to the other party."""
        return rules.shown_subject(info.context, self.change)

    @strawberry.field(description="Which side made the move: the recruiter or the company.")
    async def actor_role(self, info: Info) -> rules.ActorRole:
        """From the submitting recruiter's subject."""
        sub = await rules.recruiter_sub(info.context, self.submission)
        return rules.actor_role(self.submission, self.change, sub)

    @strawberry.field(description="The recruiter's display name or the company's name.")
    async def actor_name(self, info: Info) -> str | None:
        """Public names only, never a subject."""
        sub = await rules.recruiter_sub(info.context, self.submission)
        role = rules.actor_role(self.submission, self.change, sub)
        return await rules.actor_name(info.context, self.submission, role)
