"""Candidate type, its filter input, orderings and the root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.candidates import Candidate, ConsentMethod, ConsentStatus
from crowdhire.resolvers import candidates as candidate_rules
from crowdhire.resolvers import documents as document_rules
from crowdhire.resolvers import placements as placement_rules
from crowdhire.resolvers import recruiters as recruiter_rules
from crowdhire.resolvers import submissions as submission_rules
from crowdhire.resolvers.access import candidate_deals_criteria, ensure_can_see_contact
from crowdhire.resolvers.common import capped_list, page_request
from crowdhire.schema.documents import CandidateDocumentType
from crowdhire.schema.ids import Node, encode_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.recruiters import RecruiterType

if TYPE_CHECKING:
    from crowdhire.schema.placements import PlacementType
    from crowdhire.schema.submissions import SubmissionType

strawberry.enum(ConsentStatus, description="Whether the person agreed to be represented.")
strawberry.enum(ConsentMethod, description="How a consent decision reached us.")


@strawberry.enum(description="Orderings of the candidates list.")
class CandidateOrder(Enum):
    """Indexed sort orders; ties break on id."""

    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    YEARS_EXPERIENCE_DESC = "YEARS_EXPERIENCE_DESC"
    YEARS_EXPERIENCE_ASC = "YEARS_EXPERIENCE_ASC"


@strawberry.type(name="ConsentEvent", description="One recorded consent decision.")
class ConsentEventType:
    """What was decided, when, and how."""

    status: ConsentStatus = strawberry.field(description="The decision recorded.")
    at: datetime = strawberry.field(description="When it was recorded (UTC).")
    method: ConsentMethod = strawberry.field(description="Through the link or by an admin.")


@strawberry.type(name="Consent", description="The candidate's consent to be represented.")
class ConsentType:
    """Current consent state and its history."""

    status: ConsentStatus = strawberry.field(description="Pending, granted, declined or revoked.")
    changed_at: datetime | None = strawberry.field(description="When it last changed (UTC).")
    history: list[ConsentEventType] = strawberry.field(description="Every decision, oldest first.")

    @classmethod
    def from_model(cls, candidate: Candidate) -> ConsentType:
        """The GraphQL view of a candidate's consent (never the link's secrets)."""
        consent = candidate.consent
        history = [ConsentEventType(status=e.status, at=e.at, method=e.method)
                   for e in consent.history]  # fmt: skip
        return cls(status=consent.status, changed_at=consent.changed_at, history=history)


@strawberry.type(name="Candidate", description="A person a recruiter sourced.")
class CandidateType(Node):
    """A candidate profile."""

    full_name: str = strawberry.field(description="Full name.")
    headline: str = strawberry.field(description="One-line professional summary.")
    location: str = strawberry.field(description="City or region.")
    skills: list[str] = strawberry.field(description="Skills, lower-case.")
    years_experience: int = strawberry.field(description="Years of professional experience.")
    consent: ConsentType = strawberry.field(description="Consent to be represented.")
    legal_hold: bool = strawberry.field(description="Under a legal hold: cannot be erased.")
    erased_at: datetime | None = strawberry.field(
        description="When the person's data was erased (UTC); the record is then a stub."
    )
    created_at: datetime = strawberry.field(description="When the profile was created (UTC).")
    updated_at: datetime = strawberry.field(description="Last profile change (UTC).")
    model: strawberry.Private[Candidate]

    @classmethod
    def from_model(cls, candidate: Candidate) -> CandidateType:
        """The GraphQL view of a candidate document."""
        assert candidate.id is not None
        return cls(
            id=encode_global_id("Candidate", candidate.id),
            full_name=candidate.full_name,
            headline=candidate.headline,
            location=candidate.location,
            skills=candidate.skills,
            years_experience=candidate.years_experience,
            consent=ConsentType.from_model(candidate),
            legal_hold=candidate.legal_hold,
            erased_at=candidate.erased_at,
            created_at=candidate.created_at,
            updated_at=candidate.updated_at,
            model=candidate,
        )

    @strawberry.field(description="Contact email (owner; a company once interviewing).")
    async def email(self, info: Info) -> str | None:
        """FORBIDDEN to companies before interviewing or without consent."""
        await ensure_can_see_contact(info.context, self.model, "email")
        return self.model.email

    @strawberry.field(description="Contact phone (owner; a company once interviewing).")
    async def phone(self, info: Info) -> str | None:
        """FORBIDDEN to companies before interviewing or without consent."""
        await ensure_can_see_contact(info.context, self.model, "phone")
        return self.model.phone

    @strawberry.field(description="Profile links (owner; a company once interviewing).")
    async def links(self, info: Info) -> list[str] | None:
        """FORBIDDEN to companies before interviewing or without consent."""
        await ensure_can_see_contact(info.context, self.model, "links")
        return self.model.links

    @strawberry.field(description="CVs and other files (owner; a company once interviewing).")
    async def documents(self, info: Info) -> list[CandidateDocumentType]:
        """FORBIDDEN to companies before interviewing or without consent, like contact fields."""
        found = await document_rules.candidate_documents(info.context, self.model)
        return [CandidateDocumentType.from_model(document) for document in found]

    @strawberry.field(description="The recruiter who sourced this candidate.")
    async def recruiter(self, info: Info) -> RecruiterType | None:
        """Loaded through the batched, cached recruiter loader."""
        found = await recruiter_rules.recruiter_by_id(info.context, self.model.recruiter_id)
        return RecruiterType.from_model(found) if found else None

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
        from crowdhire.schema.submissions import submission_connection  # noqa: PLC0415 - cycle

        context = info.context
        visible = candidate_deals_criteria(context.viewer, self.model)
        person = self.model.id
        assert person is not None
        request = page_request(first, after, last, before)
        page = await submission_rules.submissions_of(
            context, "candidate", person, request, visible=visible
        )
        return await submission_connection(
            info,
            page,
            lambda: submission_rules.submission_count_of(
                context, "candidate", person, visible=visible
            ),
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

        context = info.context
        visible = candidate_deals_criteria(context.viewer, self.model)
        person = self.model.id
        assert person is not None
        request = page_request(first, after, last, before)
        page = await placement_rules.placements_of(context, "candidate", person, request, visible)
        return connection_from(
            page,
            PlacementType.from_model,
            lambda: placement_rules.placement_count_of(context, "candidate", person, visible),
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
    info: Info,
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
    page = await candidate_rules.list_candidates(info.context, criteria, order_by.value, request)
    return connection_from(
        page,
        CandidateType.from_model,
        lambda: candidate_rules.count_candidates(info.context, criteria),
    )
