"""Candidate type, its filter input, orderings and the root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.candidates import Candidate, ConsentStatus
from crowdhire.resolvers import candidates as candidate_rules
from crowdhire.resolvers import placements as placement_rules
from crowdhire.resolvers import submissions as submission_rules
from crowdhire.resolvers.common import capped_list, page_request
from crowdhire.schema.ids import Node, encode_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.recruiters import RecruiterType

if TYPE_CHECKING:
    from crowdhire.schema.placements import PlacementType
    from crowdhire.schema.submissions import SubmissionType

strawberry.enum(ConsentStatus, description="Whether the person agreed to be represented.")


@strawberry.enum(description="Orderings of the candidates list.")
class CandidateOrder(Enum):
    """Indexed sort orders; ties break on id."""

    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    YEARS_EXPERIENCE_DESC = "YEARS_EXPERIENCE_DESC"
    YEARS_EXPERIENCE_ASC = "YEARS_EXPERIENCE_ASC"


@strawberry.type(name="Consent", description="The candidate's consent to be represented.")
class ConsentType:
    """Current consent state."""

    status: ConsentStatus = strawberry.field(description="Pending, granted or revoked.")
    changed_at: datetime | None = strawberry.field(description="When it last changed (UTC).")


@strawberry.type(name="Candidate", description="A person a recruiter sourced.")
class CandidateType(Node):
    """A candidate profile."""

    full_name: str = strawberry.field(description="Full name.")
    headline: str = strawberry.field(description="One-line professional summary.")
    email: str | None = strawberry.field(description="Contact email.")
    phone: str | None = strawberry.field(description="Contact phone number.")
    location: str = strawberry.field(description="City or region.")
    skills: list[str] = strawberry.field(description="Skills, lower-case.")
    years_experience: int = strawberry.field(description="Years of professional experience.")
    links: list[str] = strawberry.field(description="Profile links (portfolio, LinkedIn…).")
    consent: ConsentType = strawberry.field(description="Consent to be represented.")
    created_at: datetime = strawberry.field(description="When the profile was created (UTC).")
    updated_at: datetime = strawberry.field(description="Last profile change (UTC).")
    model: strawberry.Private[Candidate]

    @classmethod
    def from_model(cls, candidate: Candidate) -> CandidateType:
        """The GraphQL view of a candidate document."""
        assert candidate.id is not None
        consent = candidate.consent
        return cls(
            id=encode_global_id("Candidate", candidate.id),
            full_name=candidate.full_name,
            headline=candidate.headline,
            email=candidate.email,
            phone=candidate.phone,
            location=candidate.location,
            skills=candidate.skills,
            years_experience=candidate.years_experience,
            links=candidate.links,
            consent=ConsentType(status=consent.status, changed_at=consent.changed_at),
            created_at=candidate.created_at,
            updated_at=candidate.updated_at,
            model=candidate,
        )

    @strawberry.field(description="The recruiter who sourced this candidate.")
    async def recruiter(self, info: Info) -> RecruiterType | None:
        """Loaded through the batched, cached recruiter loader."""
        recruiter = await info.context.loaders.recruiter_by_id.load(self.model.recruiter_id)
        return RecruiterType.from_model(recruiter) if recruiter else None

    @strawberry.field(description="Jobs this candidate was submitted to, newest first.")
    async def submissions(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[SubmissionType, strawberry.lazy("crowdhire.schema.submissions")]]:
        """A page of this candidate's submissions, batched across candidates."""
        from crowdhire.schema.submissions import SubmissionType  # noqa: PLC0415 - import cycle

        person = self.model.id
        assert person is not None
        request = page_request(first, after, last, before)
        page = await submission_rules.submissions_of(info.context, "candidate", person, request)
        return connection_from(
            page,
            SubmissionType.from_model,
            lambda: submission_rules.submission_count_of(info.context, "candidate", person),
        )

    @strawberry.field(description="Hires of this candidate, newest first.")
    async def placements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[PlacementType, strawberry.lazy("crowdhire.schema.placements")]]:
        """A page of this candidate's placements, batched across candidates."""
        from crowdhire.schema.placements import PlacementType  # noqa: PLC0415 - import cycle

        person = self.model.id
        assert person is not None
        request = page_request(first, after, last, before)
        page = await placement_rules.placements_of(info.context, "candidate", person, request)
        return connection_from(
            page,
            PlacementType.from_model,
            lambda: placement_rules.placement_count_of(info.context, "candidate", person),
        )


@strawberry.input(description="Filters for the candidates list; all given conditions must hold.")
class CandidateFilter:
    """Typed candidate filters."""

    skills_any: list[str] | None = strawberry.field(
        default=None, description="Has at least one of these skills."
    )
    skills_all: list[str] | None = strawberry.field(
        default=None, description="Has all of these skills."
    )
    location: str | None = strawberry.field(
        default=None, description="Location starts with this (case-insensitive)."
    )
    min_years_experience: int | None = strawberry.field(
        default=None, description="At least this many years of experience."
    )
    max_years_experience: int | None = strawberry.field(
        default=None, description="At most this many years of experience."
    )

    def criteria(self) -> candidate_rules.CandidateCriteria:
        """The resolver-level criteria; long lists are named errors."""
        return candidate_rules.CandidateCriteria(
            skills_any=capped_list(self.skills_any, "filter.skillsAny"),
            skills_all=capped_list(self.skills_all, "filter.skillsAll"),
            location=self.location,
            min_years_experience=self.min_years_experience,
            max_years_experience=self.max_years_experience,
        )


async def resolve_candidates(
    filter: Annotated[  # noqa: A002 - GraphQL argument name
        CandidateFilter | None, strawberry.argument(description="Conditions candidates must meet.")
    ] = None,
    order_by: Annotated[
        CandidateOrder, strawberry.argument(description="Sort order (indexed fields only).")
    ] = CandidateOrder.CREATED_AT_DESC,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[CandidateType]:
    """Root list of candidates."""
    criteria = filter.criteria() if filter else candidate_rules.CandidateCriteria()
    request = page_request(first, after, last, before)
    page = await candidate_rules.list_candidates(criteria, order_by.value, request)
    return connection_from(
        page, CandidateType.from_model, lambda: candidate_rules.count_candidates(criteria)
    )
