"""Match scores and recommendation connections (fields of Job, Candidate and Submission)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from crowdhire.context import Info
from crowdhire.loaders.pagination import Page
from crowdhire.matching.rank import Ranked
from crowdhire.matching.score import MatchScore
from crowdhire.models import Candidate, Job
from crowdhire.resolvers import matching as matching_rules
from crowdhire.schema.candidates import CandidateType
from crowdhire.schema.jobs import JobType
from crowdhire.schema.pagination import Connection, connection_from


@strawberry.type(name="MatchComponent", description="One named part of a match score.")
class MatchComponentType:
    """What a component measured and how much it counts."""

    name: str = strawberry.field(
        description="mustHave, niceToHave, experience, location, salary, language or semantic."
    )
    weight: float = strawberry.field(
        description="Its weight in the total; 0 when the data could not decide it."
    )
    value: float = strawberry.field(description="How well the pair does on it, 0 to 1.")
    reason: str = strawberry.field(description="A sentence saying why, in plain words.")


@strawberry.type(name="Match", description="Advice on how well a candidate fits a job.")
class MatchType:
    """The weighted mean of the decided components, 0 to 100; never acted on by itself."""

    score: float = strawberry.field(description="0 to 100; higher fits better.")
    components: list[MatchComponentType] = strawberry.field(description="Why, part by part.")
    model_version: str = strawberry.field(
        description="The embedding model behind the semantic component."
    )
    computed_at: datetime = strawberry.field(description="When this score was computed (UTC).")

    @classmethod
    def from_score(cls, match: MatchScore, model_version: str) -> MatchType:
        """The GraphQL view of a computed score."""
        components = [MatchComponentType(name=c.name, weight=c.weight, value=c.value,
                                         reason=c.reason) for c in match.components]  # fmt: skip
        computed_at = match.computed_at or matching_rules.computed_at()
        return cls(score=match.score, components=components, model_version=model_version,
                   computed_at=computed_at)  # fmt: skip


@strawberry.type(name="CandidateRecommendation", description="A candidate ranked for a job.")
class CandidateRecommendationType:
    """The candidate (with the viewer's usual field rules) and why they rank here."""

    candidate: CandidateType = strawberry.field(description="The candidate.")
    match: MatchType = strawberry.field(description="The score and its reasons.")


@strawberry.type(name="JobRecommendation", description="An open job ranked for a candidate.")
class JobRecommendationType:
    """The job and why it ranks here."""

    job: JobType = strawberry.field(description="The job.")
    match: MatchType = strawberry.field(description="The score and its reasons.")


def _count(page: Page) -> int:
    return len(page.items)


def candidate_recommendations(
    info: Info, page: Page, total: int
) -> Connection[CandidateRecommendationType]:
    """A connection of ranked candidates."""
    version = matching_rules.model_version(info.context)

    def convert(entry: Ranked[Candidate]) -> CandidateRecommendationType:
        person = CandidateType.from_model(entry.item)
        return CandidateRecommendationType(
            candidate=person, match=MatchType.from_score(entry.match, version)
        )

    async def count() -> int:
        return total

    return connection_from(page, convert, count)


def job_recommendations(info: Info, page: Page, total: int) -> Connection[JobRecommendationType]:
    """A connection of ranked jobs."""
    version = matching_rules.model_version(info.context)

    def convert(entry: Ranked[Job]) -> JobRecommendationType:
        return JobRecommendationType(job=JobType.from_model(entry.item),
                                     match=MatchType.from_score(entry.match, version))  # fmt: skip

    async def count() -> int:
        return total

    return connection_from(page, convert, count)
