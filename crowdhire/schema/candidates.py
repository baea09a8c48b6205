"""Candidate type, its filter input, orderings and the root list."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.loaders.placements import PLACEMENTS_BY_CANDIDATE_ID
from crowdhire.loaders.submissions import SUBMISSIONS_BY_CANDIDATE_ID
from crowdhire.models.candidates import (
    AutomatedRanking,
    Candidate,
    ConsentMethod,
    ConsentStatus,
)
from crowdhire.resolvers import candidates as candidate_resolvers
from crowdhire.resolvers import documents as document_rules
from crowdhire.resolvers import recruiters as recruiter_resolvers
from crowdhire.resolvers.access import candidate_deals_criteria, ensure_can_see_contact
from crowdhire.resolvers.argument_rules import capped_list, page_request
from crowdhire.schema.common import MoneyType
from crowdhire.schema.connections import (
    child_connection_field,
    register_node_view,
)
from crowdhire.schema.documents import CandidateDocumentType
from crowdhire.schema.field_reads import FieldReads
from crowdhire.schema.ids import Node, encode_global_id
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.recruiters import RecruiterType

if TYPE_CHECKING:
    from crowdhire.schema.jobs import JobFilter
    from crowdhire.schema.matching import JobRecommendationType

strawberry.enum(ConsentStatus, description="Whether the person agreed to be represented.")
strawberry.enum(ConsentMethod, description="How a consent decision reached us.")
strawberry.enum(
    AutomatedRanking,
    description="Whether the person lets the matching engine embed and rank them.",
)


@strawberry.enum(description="Orderings of the candidates list.")
class CandidateOrder(Enum):
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
    requested_at: datetime | None = strawberry.field(
        description="When the recruiter last asked for consent (UTC); null before any request."
    )
    last_sent_at: datetime | None = strawberry.field(
        description="When the platform last emailed the person their link (UTC); null = not yet."
    )

    @classmethod
    def from_model(cls, candidate: Candidate) -> ConsentType:
        """The GraphQL view of a candidate's consent (never the link's secrets)."""
        consent = candidate.consent
        history = [ConsentEventType(status=e.status, at=e.at, method=e.method)
                   for e in consent.history]  # fmt: skip
        return cls(
            status=consent.status,
            changed_at=consent.changed_at,
            history=history,
            requested_at=consent.requested_at,
            last_sent_at=consent.last_sent_at,
        )


@strawberry.type(name="Candidate", description="A person a recruiter sourced.")
class CandidateType(Node):
    """A candidate profile."""

    full_name: str = strawberry.field(description="Full name.")
    headline: str = strawberry.field(description="One-line professional summary.")
    location: str = strawberry.field(description="City or region.")
    skills: list[str] = strawberry.field(description="Skills, lower-case.")
    years_experience: int = strawberry.field(description="Years of professional experience.")
    summary: str = strawberry.field(description="Free-text profile summary (≤ 5,000 chars).")

    @strawberry.field(description="Yearly salary the person asks for, in minor units.")
    def desired_salary(self) -> MoneyType | None:
        """Built when selected: a read may have left the stored field out (see READS)."""
        salary = self.model.desired_salary
        return MoneyType.from_model(salary) if salary else None

    open_to_remote: bool = strawberry.field(description="Willing to work remotely.")
    languages: list[str] = strawberry.field(description="Languages spoken, lower-case.")
    automated_ranking: AutomatedRanking = strawberry.field(
        description="OPTED_OUT: never embedded or ranked by the matching engine."
    )

    @strawberry.field(description="Consent to be represented.")
    def consent(self) -> ConsentType:
        """Built when selected: a read may have left the stored field out (see READS)."""
        return ConsentType.from_model(self.model)

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
            summary=candidate.summary,
            open_to_remote=candidate.open_to_remote,
            languages=candidate.languages,
            automated_ranking=candidate.automated_ranking,
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

    @strawberry.field(
        description="Open jobs ranked for this person by the matching engine, best first"
        " (advice only; their recruiter and admins, FORBIDDEN otherwise; empty when the person"
        " opted out of automated ranking). Every list served is audited."
    )
    async def recommended_jobs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[  # noqa: A002 - GraphQL argument name
            Annotated[JobFilter, strawberry.lazy("crowdhire.schema.jobs")] | None,
            strawberry.argument(description="Only jobs that also meet these conditions."),
        ] = None,
    ) -> Connection[Annotated[JobRecommendationType, strawberry.lazy("crowdhire.schema.matching")]]:
        """Ranked through the in-process vector index; never cached as a response."""
        from crowdhire.resolvers.jobs import JobCriteria, job_match  # noqa: PLC0415 - cycle
        from crowdhire.resolvers.matching import recommended_jobs  # noqa: PLC0415
        from crowdhire.schema.matching import job_recommendations  # noqa: PLC0415

        request = page_request(first, after, None, None)
        criteria = filter.criteria() if filter is not None else JobCriteria()
        page, total = await recommended_jobs(info.context, self.model, request,
                                             job_match(criteria))  # fmt: skip
        return job_recommendations(info, page, total)

    @strawberry.field(description="CVs and other files (owner; a company once interviewing).")
    async def documents(self, info: Info) -> list[CandidateDocumentType]:
        """FORBIDDEN to companies before interviewing or without consent, like contact fields."""
        found = await document_rules.candidate_documents(info.context, self.model)
        return [CandidateDocumentType.from_model(document) for document in found]

    @strawberry.field(description="The recruiter who sourced this candidate.")
    async def recruiter(self, info: Info) -> RecruiterType | None:
        """Loaded through the batched, cached recruiter loader."""
        found = await recruiter_resolvers.recruiter_by_id(info.context, self.model.recruiter_id)
        return RecruiterType.from_model(found) if found else None

    submissions = child_connection_field(
        SUBMISSIONS_BY_CANDIDATE_ID,
        description="Jobs this candidate was submitted to, newest first.",
        criteria=lambda person, info: candidate_deals_criteria(info.context.viewer, person.model),
    )

    placements = child_connection_field(
        PLACEMENTS_BY_CANDIDATE_ID,
        description="Hires of this candidate, newest first.",
        criteria=lambda person, info: candidate_deals_criteria(info.context.viewer, person.model),
    )


register_node_view(Candidate, CandidateType.from_model)

READS = FieldReads(
    reads={
        "__typename": (),
        "id": (),
        "fullName": ("full_name",),
        "headline": ("headline",),
        "location": ("location",),
        "skills": ("skills",),
        "yearsExperience": ("years_experience",),
        "summary": ("summary",),
        "desiredSalary": ("desired_salary",),
        "openToRemote": ("open_to_remote",),
        "languages": ("languages",),
        "automatedRanking": ("automated_ranking",),
        "consent": ("consent",),
        "legalHold": ("legal_hold",),
        "erasedAt": ("erased_at",),
        "createdAt": ("created_at",),
        "updatedAt": ("updated_at",),
        "recruiter": (),  # its id, which every read keeps
    },
    # not `recruiter_id` (who owns the person: visibility, cache tags) nor `full_name`
    omittable=frozenset(
        {
            "headline", "email", "phone", "email_normalized", "phone_normalized", "location",
            "skills", "years_experience", "summary", "desired_salary", "open_to_remote",
            "languages", "automated_ranking", "links", "consent", "legal_hold", "erased_at",
            "documents_changed_at", "created_at", "updated_at",
        }
    ),
)  # fmt: skip
"""What each field of a candidate reads (crowdhire.schema.field_reads); the contact fields,
files, rankings and deal lists look at the whole document and are left out of `reads`."""


def unread_candidate_fields(info: Info, selected: frozenset[str]) -> frozenset[str]:
    """The stored fields a candidate read may leave out for these selected fields."""
    if not info.context.settings.projected_objects:
        return frozenset()
    return READS.unread(selected)


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

    def criteria(self) -> candidate_resolvers.CandidateCriteria:
        """The resolver-level criteria; long lists are named errors."""
        return candidate_resolvers.CandidateCriteria(
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
    criteria = filter.criteria() if filter else candidate_resolvers.CandidateCriteria()
    request = page_request(first, after, last, before)
    page = await candidate_resolvers.list_candidates(
        info.context, criteria, order_by.value, request
    )
    return connection_from(
        page,
        CandidateType.from_model,
        lambda: candidate_resolvers.count_candidates(info.context, criteria),
    )
