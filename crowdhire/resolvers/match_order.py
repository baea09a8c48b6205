"""A job's submissions ordered by match score (`Job.submissions(orderBy: MATCH_DESC)`).

Scores are computed on read, so this ordering ranks the job's visible submissions in memory
(capped) and pages with (score, id) cursors; people who opted out of automated ranking are
listed after everyone else, in id order, as if unscored.
"""

from __future__ import annotations

from typing import Any

from crowdhire.context import Context
from crowdhire.errors import BadUserInputError
from crowdhire.footprints import note_read
from crowdhire.loaders.base import Criteria, criteria_match
from crowdhire.loaders.pagination import Page, PageRequest
from crowdhire.matching.rank import Ranked, ranked
from crowdhire.matching.score import MatchScore
from crowdhire.models import Job, Submission
from crowdhire.models.submissions import Stage
from crowdhire.resolvers.matching import (
    INDEX_READ,
    pair_cosine,
    pair_score,
    rankable,
    ranked_page,
)

MAX_RANKED = 1000
UNSCORED = MatchScore(-1.0, ())


async def submissions_by_match(
    context: Context, job: Job, request: PageRequest, stages: tuple[Stage, ...],
    visible: Criteria,
) -> tuple[Page, int]:  # fmt: skip
    """A page of the job's visible submissions, best match first."""
    if not request.forward:
        raise BadUserInputError(
            "orderBy MATCH_DESC pages forward: use first/after", argument="last"
        )
    note_read(INDEX_READ)
    match: dict[str, Any] = {"job_id": job.id, **criteria_match(visible)}
    if stages:
        match["stage"] = {"$in": [stage.value for stage in stages]}
    submissions = await Submission.find(match).limit(MAX_RANKED).to_list()
    people = await context.loaders.candidate_by_id.load_many([s.candidate_id for s in submissions])
    assert job.id is not None
    entries: list[Ranked[Submission]] = []
    for submission, person in zip(submissions, people, strict=True):
        assert submission.id is not None
        if person is None or not rankable(person):
            entries.append(Ranked(submission.id, submission, UNSCORED))
            continue
        cosine = pair_cosine(context, job.id, submission.candidate_id)
        entries.append(Ranked(submission.id, submission, pair_score(context, job, person, cosine)))
    page = ranked_page(f"submissions:match:{job.id}", ranked(entries), request)
    page.items = [entry.item for entry in page.items]  # the connection shows submissions
    return page, len(entries)
