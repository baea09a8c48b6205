"""Recruiter type and its root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.recruiters import Recruiter
from crowdhire.resolvers import candidates as candidate_rules
from crowdhire.resolvers import placements as placement_rules
from crowdhire.resolvers import recruiters as recruiter_rules
from crowdhire.resolvers import submissions as submission_rules
from crowdhire.resolvers.common import page_request
from crowdhire.schema.ids import Node, encode_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from

if TYPE_CHECKING:
    from crowdhire.schema.candidates import CandidateType
    from crowdhire.schema.placements import PlacementType
    from crowdhire.schema.submissions import SubmissionType


@strawberry.enum(description="Orderings of the recruiters list.")
class RecruiterOrder(Enum):
    """Indexed sort orders; ties break on id."""

    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"


@strawberry.type(name="Recruiter", description="An independent recruiter of the crowd.")
class RecruiterType(Node):
    """A recruiter's profile and their work."""

    display_name: str = strawberry.field(description="Name shown to companies.")
    email: str = strawberry.field(description="Contact email.")
    bio: str = strawberry.field(description="About the recruiter.")
    specialties: list[str] = strawberry.field(description="Fields the recruiter works in.")
    created_at: datetime = strawberry.field(description="When the recruiter joined (UTC).")
    model: strawberry.Private[Recruiter]

    @classmethod
    def from_model(cls, recruiter: Recruiter) -> RecruiterType:
        """The GraphQL view of a recruiter document."""
        assert recruiter.id is not None
        return cls(
            id=encode_global_id("Recruiter", recruiter.id),
            display_name=recruiter.display_name,
            email=recruiter.email,
            bio=recruiter.bio,
            specialties=recruiter.specialties,
            created_at=recruiter.created_at,
            model=recruiter,
        )

    @strawberry.field(description="Candidates this recruiter sourced, newest first.")
    async def candidates(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[CandidateType, strawberry.lazy("crowdhire.schema.candidates")]]:
        """A page of this recruiter's candidates, batched across recruiters."""
        from crowdhire.schema.candidates import CandidateType  # noqa: PLC0415 - import cycle

        owner = self.model.id
        assert owner is not None
        request = page_request(first, after, last, before)
        page = await candidate_rules.recruiter_candidates(info.context, owner, request)
        return connection_from(
            page,
            CandidateType.from_model,
            lambda: candidate_rules.recruiter_candidate_count(info.context, owner),
        )

    @strawberry.field(description="Submissions this recruiter made, newest first.")
    async def submissions(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[SubmissionType, strawberry.lazy("crowdhire.schema.submissions")]]:
        """A page of this recruiter's submissions, batched across recruiters."""
        from crowdhire.schema.submissions import SubmissionType  # noqa: PLC0415 - import cycle

        owner = self.model.id
        assert owner is not None
        request = page_request(first, after, last, before)
        page = await submission_rules.submissions_of(info.context, "recruiter", owner, request)
        return connection_from(
            page,
            SubmissionType.from_model,
            lambda: submission_rules.submission_count_of(info.context, "recruiter", owner),
        )

    @strawberry.field(description="Hires credited to this recruiter, newest first.")
    async def placements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[PlacementType, strawberry.lazy("crowdhire.schema.placements")]]:
        """A page of this recruiter's placements, batched across recruiters."""
        from crowdhire.schema.placements import PlacementType  # noqa: PLC0415 - import cycle

        owner = self.model.id
        assert owner is not None
        request = page_request(first, after, last, before)
        page = await placement_rules.placements_of(info.context, "recruiter", owner, request)
        return connection_from(
            page,
            PlacementType.from_model,
            lambda: placement_rules.placement_count_of(info.context, "recruiter", owner),
        )


async def resolve_recruiters(
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    order_by: Annotated[
        RecruiterOrder, strawberry.argument(description="Sort order (indexed fields only).")
    ] = RecruiterOrder.CREATED_AT_DESC,
) -> Connection[RecruiterType]:
    """Root list of recruiters."""
    request = page_request(first, after, last, before)
    page = await recruiter_rules.list_recruiters(order_by.value, request)
    return connection_from(page, RecruiterType.from_model, recruiter_rules.count_recruiters)
