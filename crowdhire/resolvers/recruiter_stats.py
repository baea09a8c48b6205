"""Recruiter.stats: pipeline counts, conversion rates and fee shares, batched per request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from crowdhire.context import Context
from crowdhire.models.recruiters import Recruiter
from crowdhire.resolvers.access import ensure_is_self_or_admin


@dataclass(frozen=True)
class RecruiterStats:
    """What a recruiter achieved; money as {currency: minor units}."""

    submissions: int
    interviews: int
    hires: int
    fees_pending: dict[str, int]
    fees_earned: dict[str, int]

    @property
    def interview_rate(self) -> float:
        """Share of submissions that reached interviewing (0 without submissions)."""
        return self.interviews / self.submissions if self.submissions else 0.0

    @property
    def hire_rate(self) -> float:
        """Share of submissions that were hired (0 without submissions)."""
        return self.hires / self.submissions if self.submissions else 0.0


async def recruiter_stats(context: Context, recruiter: Recruiter) -> RecruiterStats:
    """The recruiter's stats (the recruiter and admins only: FORBIDDEN otherwise)."""
    ensure_is_self_or_admin(context.viewer, recruiter, "stats")
    assert recruiter.id is not None
    loaders = context.loaders
    counts, fees = await asyncio.gather(
        loaders.submission_stats_by_recruiter_id.load(recruiter.id),
        loaders.recruiter_fees_by_recruiter_id.load(recruiter.id),
    )
    return RecruiterStats(
        submissions=counts.submissions,
        interviews=counts.interviews,
        hires=counts.hires,
        fees_pending=fees.pending,
        fees_earned=fees.earned,
    )
