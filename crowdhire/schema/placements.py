"""Placement type, its filter input, orderings and the root list."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from crowdhire.context import Info
from crowdhire.models.placements import PaymentStatus, Placement
from crowdhire.resolvers import candidates as candidate_resolvers
from crowdhire.resolvers import jobs as job_resolvers
from crowdhire.resolvers import placements as placement_resolvers
from crowdhire.resolvers import recruiters as recruiter_resolvers
from crowdhire.resolvers import submissions as submission_resolvers
from crowdhire.resolvers.argument_rules import capped_list, page_request
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.common import MoneyType
from crowdhire.schema.companies import CompanyType, company_view
from crowdhire.schema.connections import register_node_view
from crowdhire.schema.ids import Node, encode_global_id, optional_object_id
from crowdhire.schema.jobs import JobType
from crowdhire.schema.pagination import After, Before, Connection, First, Last, connection_from
from crowdhire.schema.payment_types import PlacementPaymentType, resolve_payment
from crowdhire.schema.recruiters import RecruiterType
from crowdhire.schema.submissions import SubmissionType


@strawberry.enum(description="Orderings of the placements list.")
class PlacementOrder(Enum):
    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    START_DATE_DESC = "START_DATE_DESC"
    START_DATE_ASC = "START_DATE_ASC"


@strawberry.type(name="Placement", description="A hire: its fee, the recruiter's share, payment.")
class PlacementType(Node):
    """The financial record of a hire."""

    start_date: date = strawberry.field(description="First working day.")
    annual_salary: MoneyType = strawberry.field(description="Agreed first-year salary.")
    fee: MoneyType = strawberry.field(description="Fee the company owes.")
    recruiter_share: MoneyType = strawberry.field(description="The recruiter's part of the fee.")
    guarantee_end_date: date = strawberry.field(description="Last day of the guarantee.")
    payment_status: PaymentStatus = strawberry.field(description="Fee payment state.")
    departure_date: date | None = strawberry.field(
        description="The hire's last day, when they left inside the guarantee."
    )
    refund_due: MoneyType | None = strawberry.field(
        description="Prorated fee refund owed to the company after an early departure."
    )
    created_at: datetime = strawberry.field(description="When the hire was recorded (UTC).")
    model: strawberry.Private[Placement]

    @classmethod
    def from_model(cls, placement: Placement) -> PlacementType:
        """The GraphQL view of a placement document."""
        assert placement.id is not None
        return cls(
            id=encode_global_id("Placement", placement.id),
            start_date=placement.start_date,
            annual_salary=MoneyType.from_model(placement.annual_salary),
            fee=MoneyType.from_model(placement.fee),
            recruiter_share=MoneyType.from_model(placement.recruiter_share),
            guarantee_end_date=placement.guarantee_end_date,
            payment_status=placement.payment_status,
            departure_date=placement.departure_date,
            refund_due=MoneyType.from_model(placement.refund_due) if placement.refund_due else None,
            created_at=placement.created_at,
            model=placement,
        )

    @strawberry.field(description="The submission that led to the hire.")
    async def submission(self, info: Info) -> SubmissionType | None:
        """Loaded through the batched, cached submission loader."""
        found = await submission_resolvers.submission_by_id(info.context, self.model.submission_id)
        return SubmissionType.from_model(found) if found else None

    @strawberry.field(description="The job filled.")
    async def job(self, info: Info) -> JobType | None:
        """Loaded through the batched, cached job loader."""
        job = await job_resolvers.job_by_id(info.context, self.model.job_id)
        return JobType.from_model(job) if job else None

    @strawberry.field(description="The person hired.")
    async def candidate(self, info: Info) -> CandidateType | None:
        """Loaded through the batched, cached candidate loader."""
        found = await candidate_resolvers.candidate_by_id(info.context, self.model.candidate_id)
        return CandidateType.from_model(found) if found else None

    @strawberry.field(description="The recruiter credited with the hire.")
    async def recruiter(self, info: Info) -> RecruiterType | None:
        """Loaded through the batched, cached recruiter loader."""
        found = await recruiter_resolvers.recruiter_by_id(info.context, self.model.recruiter_id)
        return RecruiterType.from_model(found) if found else None

    @strawberry.field(description="The company's payment of the fee: status, amount, refunds.")
    async def payment(self, info: Info) -> PlacementPaymentType:
        """Visible to whoever sees the placement."""
        return await resolve_payment(info, self.model)

    @strawberry.field(description="The company that hired.")
    async def company(self, info: Info) -> CompanyType | None:
        """Loaded through the batched, cached company loader."""
        return await company_view(info, self.model.company_id)


register_node_view(Placement, PlacementType.from_model)


@strawberry.input(description="Filters for the placements list; all given conditions must hold.")
class PlacementFilter:
    """Typed placement filters."""

    payment_status: list[PaymentStatus] | None = strawberry.field(
        default=None, description="Any of these payment states."
    )
    company_id: strawberry.ID | None = strawberry.field(default=None, description="Hired by.")
    start_on_or_after: date | None = strawberry.field(
        default=None, description="Starting on or after this day."
    )
    start_before: date | None = strawberry.field(
        default=None, description="Starting before this day."
    )

    def criteria(self) -> placement_resolvers.PlacementCriteria:
        """The resolver-level criteria; invalid ids are named errors."""
        return placement_resolvers.PlacementCriteria(
            payment_statuses=capped_list(self.payment_status, "filter.paymentStatus"),
            company_id=optional_object_id(self.company_id, "Company", argument="filter.companyId"),
            start_on_or_after=self.start_on_or_after,
            start_before=self.start_before,
        )


async def resolve_placements(
    info: Info,
    filter: Annotated[  # noqa: A002 - GraphQL argument name
        PlacementFilter | None,
        strawberry.argument(description="Conditions placements must meet."),
    ] = None,
    order_by: Annotated[
        PlacementOrder, strawberry.argument(description="Sort order (indexed fields only).")
    ] = PlacementOrder.CREATED_AT_DESC,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[PlacementType]:
    """Root list of placements."""
    criteria = filter.criteria() if filter else placement_resolvers.PlacementCriteria()
    request = page_request(first, after, last, before)
    page = await placement_resolvers.list_placements(
        info.context, criteria, order_by.value, request
    )
    return connection_from(
        page,
        PlacementType.from_model,
        lambda: placement_resolvers.count_placements(info.context, criteria),
    )
