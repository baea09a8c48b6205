"""The Recruiter.stats object: pipeline counts, conversion rates and fee shares."""

from __future__ import annotations

import strawberry

from crowdhire.models.common import Money
from crowdhire.resolvers.recruiter_stats import RecruiterStats
from crowdhire.schema.common import MoneyType


def _money(amounts: dict[str, int]) -> list[MoneyType]:
    return [
        MoneyType.from_model(Money(amount=amount, currency=currency))
        for currency, amount in sorted(amounts.items())
    ]


@strawberry.type(name="RecruiterStats", description="What a recruiter achieved so far.")
class RecruiterStatsType:
    """Counts, rates and money per currency."""

    submissions: int = strawberry.field(description="Submissions made.")
    interviews: int = strawberry.field(description="Submissions that reached interviewing.")
    hires: int = strawberry.field(description="Submissions hired.")
    interview_rate: float = strawberry.field(description="interviews / submissions (0 if none).")
    hire_rate: float = strawberry.field(description="hires / submissions (0 if none).")
    fees_pending: list[MoneyType] = strawberry.field(
        description="Your share of placements not paid yet (unpaid, processing), per currency."
    )
    fees_earned: list[MoneyType] = strawberry.field(
        description="Your share of paid placements, per currency."
    )

    @classmethod
    def from_stats(cls, stats: RecruiterStats) -> RecruiterStatsType:
        """The GraphQL view of computed stats."""
        return cls(
            submissions=stats.submissions,
            interviews=stats.interviews,
            hires=stats.hires,
            interview_rate=stats.interview_rate,
            hire_rate=stats.hire_rate,
            fees_pending=_money(stats.fees_pending),
            fees_earned=_money(stats.fees_earned),
        )
