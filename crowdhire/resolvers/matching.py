"""Recommendations: who may rank whom, from which pool, and the audit record of each list.

A ranking only ever contains records the viewer may already see: company members get the
candidates submitted to the job, recruiters their own candidates, admins the whole pool; a
candidate's job recommendations are for their recruiter and admins. Contact fields stay
behind the usual field-level checks of the Candidate type.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from functools import partial
from typing import Any

import orjson
from bson import ObjectId

from crowdhire.context import Context
from crowdhire.footprints import note_read
from crowdhire.loaders.pagination import Page, PageRequest, decode_cursor, ordering
from crowdhire.matching import atlas, pools
from crowdhire.matching.embeddings import Vectors, loaded_encoder
from crowdhire.matching.profiles import CandidateProfile, JobProfile, candidate_profile, job_profile
from crowdhire.matching.rank import Ranked, after, ranked
from crowdhire.matching.score import MatchScore, score
from crowdhire.matching.shortlist import shortlist_jobs, shortlist_people
from crowdhire.matching.skills import SkillSimilarity
from crowdhire.models import Candidate, Job, Submission
from crowdhire.models.candidates import AutomatedRanking
from crowdhire.models.common import utcnow
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.models.jobs import JobStatus
from crowdhire.resolvers.access import forbid, owns_candidate
from crowdhire.resolvers.ranking_cache import (
    Computed,
    Guard,
    cached_ranking,
    ranking_key,
    vector_digest,
)
from crowdhire.resolvers.transactions import audit
from crowdhire.tags.reads import coarse_tags, read_tags

INDEX_READ = "matching:vector-index"
"""A pseudo collection: answers that read the in-process index are never response-cached, so
every served list is audited; the ranking itself is cached (crowdhire.resolvers.ranking_cache)."""


def rankable(candidate: Candidate) -> bool:
    """Neither erased nor opted out of automated ranking."""
    return candidate.erased_at is None and candidate.automated_ranking is AutomatedRanking.ALLOWED


def _vector(context: Context, kind: EmbeddedKind, owner_id: ObjectId) -> Vectors | None:
    return None if context.matching is None else context.matching.index[kind].vector(owner_id)


def pair_score(
    context: Context, job: Job, candidate: Candidate, cosine: float | None
) -> MatchScore:
    """The explained score of one pair (skill-name similarity only once the model is loaded)."""
    similarity = _similarity()
    return score(job_profile(job), candidate_profile(candidate), cosine=cosine,
                 skill_similarity=similarity)  # fmt: skip


def model_version(context: Context) -> str:
    """The model behind the semantic component in this process."""
    return context.matching.model_version if context.matching is not None else "none"


async def submission_match(context: Context, submission: Submission) -> MatchScore | None:
    """The score of a submission's pair; None when the person opted out or was erased."""
    job = await context.loaders.job_by_id.load(submission.job_id)
    candidate = await context.loaders.candidate_by_id.load(submission.candidate_id)
    if job is None or candidate is None or not rankable(candidate):
        return None
    note_read(INDEX_READ)
    cosine = pair_cosine(context, submission.job_id, submission.candidate_id)
    return pair_score(context, job, candidate, cosine)


def pair_cosine(context: Context, job_id: ObjectId, candidate_id: ObjectId) -> float | None:
    """Cosine of the two stored vectors; None until both exist."""
    job_vector = _vector(context, EmbeddedKind.JOB, job_id)
    person_vector = _vector(context, EmbeddedKind.CANDIDATE, candidate_id)
    if job_vector is None or person_vector is None:
        return None
    return float(job_vector @ person_vector)


async def nearest(
    context: Context, kind: EmbeddedKind, vector: Vectors | None, k: int
) -> list[ObjectId]:
    """The k nearest owners: the in-process index, or Atlas with MATCHING_VECTOR_SEARCH=atlas."""
    if vector is None or context.matching is None:
        return []
    version = context.matching.model_version
    if context.settings.matching_vector_search == "atlas":
        return await atlas.nearest(context.settings.matching_atlas_index, kind, version, vector, k)
    return [owner_id for owner_id, _ in context.matching.index[kind].nearest(vector, k)]


def _candidate_scope(context: Context, job: Job) -> str:
    """Whose pool this viewer ranks for a job: the scope rankings are shared within."""
    viewer = context.viewer
    if viewer.is_admin:
        return "admin"
    if viewer.is_member_of(job.company_id):
        return "members"
    if viewer.recruiter_id is not None:
        return f"recruiter={viewer.recruiter_id}"
    raise forbid("recommendedCandidates")


def _pool_tags(context: Context, job_id: ObjectId, scope: str) -> set[str]:
    """The tags of the lists a pool in `scope` is read from (members' rankings also read each
    submitted person, whose tags are known once the submissions are)."""
    if scope == "admin":
        return coarse_tags("candidates")
    if scope == "members":
        return read_tags("submissions", {"job_id": job_id})
    return read_tags("candidates", {"recruiter_id": context.viewer.recruiter_id})


async def _candidate_pool(
    context: Context, job_id: ObjectId, wanted: JobProfile, scope: str, guard: Guard
) -> tuple[list[ObjectId], list[ObjectId], dict[ObjectId, CandidateProfile]]:
    """The nearest vectors consulted, who may be ranked for this job in `scope`, and those of
    them already read fresh (the pool's lists are guarded by the caller)."""
    loaders = context.loaders
    if scope == "admin":
        vector = _vector(context, EmbeddedKind.JOB, job_id)
        near = await nearest(context, EmbeddedKind.CANDIDATE, vector, pools.FROM_VECTORS)
        sharing = await pools.people_sharing(wanted.must_have + wanted.nice_to_have)
        return near, list(dict.fromkeys([*near, *sharing])), sharing
    if scope == "members":
        ids = await loaders.submitted_candidate_ids_by_job_id.load(job_id)
        await guard.before_reading(read_tags("candidates", {"_id": {"$in": ids}}))
        return [], ids, {}
    assert context.viewer.recruiter_id is not None
    return (
        [],
        await loaders.owned_candidate_ids_by_recruiter_id.load(context.viewer.recruiter_id),
        {},
    )


async def _fresh_profiles(
    context: Context, ids: list[ObjectId], fresh: dict[ObjectId, CandidateProfile]
) -> None:
    """Read the rankable profiles of these ids that `fresh` lacks into it (one batch)."""
    missing = [oid for oid in ids if oid not in fresh]
    found = await context.loaders.candidate_profile_by_id.load_many(missing)
    fresh.update((oid, p) for oid, p in zip(missing, found, strict=True) if p is not None)


async def _pool_skills(
    context: Context, ids: list[ObjectId], fresh: dict[ObjectId, CandidateProfile]
) -> dict[ObjectId, tuple[str, ...]]:
    """Held skills of the pool for the shortlist: fresh rows, the process's cache, else read
    (what is read joins `fresh` and the cache); people no longer rankable drop out."""
    skills = {oid: profile.skills for oid, profile in fresh.items()}
    cache = context.matching.skills if context.matching is not None else None
    if cache is None:
        await _fresh_profiles(context, ids, fresh)
        return {oid: profile.skills for oid, profile in fresh.items()}
    epoch = cache.epoch
    cached, missing = cache.split(oid for oid in ids if oid not in skills)
    before = set(fresh)
    await _fresh_profiles(context, missing, fresh)
    read = {oid: fresh[oid].skills for oid in fresh.keys() - before}
    cache.put_many({**read, **skills}, epoch)
    return {**cached, **skills, **read}


def _cosines(
    context: Context, kind: EmbeddedKind, vector: Vectors | None, ids: list[ObjectId]
) -> dict[ObjectId, float]:
    if vector is None or context.matching is None:
        return {}
    return context.matching.index[kind].cosines(vector, ids)


def _similarity() -> SkillSimilarity | None:
    encoder = loaded_encoder()
    return encoder.name_similarity if encoder is not None else None


async def _index_digest(
    context: Context, query: EmbeddedKind, owner_id: ObjectId, k: int, pool: list[ObjectId]
) -> str:
    """This instance's `vector_digest` of a ranking of `pool` for `owner_id`'s vector (`k`
    nearest proposed: 0 when the pool does not come from the index)."""
    ranked_kind = EmbeddedKind.CANDIDATE if query is EmbeddedKind.JOB else EmbeddedKind.JOB
    vector = _vector(context, query, owner_id)
    near = await nearest(context, ranked_kind, vector, k) if k else []
    return vector_digest(near, _cosines(context, ranked_kind, vector, pool), pool)


async def _rank_candidates(
    context: Context, job_id: ObjectId, scope: str, guard: Guard
) -> Computed:
    """Stage one estimates the pool from held skills (`SkillCache`) and cosines and keeps the
    best; stage two reads those profiles from MongoDB and scores them in full."""
    # one round trip for the job's and the pool lists' tags, before either is read
    await guard.before_reading(
        read_tags("jobs", {"_id": job_id}) | _pool_tags(context, job_id, scope)
    )
    wanted = await context.loaders.job_profile_by_id.load(job_id)
    if wanted is None:
        return Computed.empty()
    near, ids, people = await _candidate_pool(context, job_id, wanted, scope, guard)
    skills = await _pool_skills(context, ids, people)
    vector = _vector(context, EmbeddedKind.JOB, job_id)
    pool = list(skills)
    cosines = _cosines(context, EmbeddedKind.CANDIDATE, vector, pool)
    shortlisted = shortlist_people(wanted, skills, cosines)
    await _fresh_profiles(context, shortlisted, people)  # scores read MongoDB, never the cache
    similarity = _similarity()
    entries = [
        Ranked(oid, None, score(wanted, people[oid], cosine=cosines.get(oid),
                                skill_similarity=similarity))
        for oid in shortlisted if oid in people
    ]  # fmt: skip
    return Computed(ranked(entries), pool, vector_digest(near, cosines, pool))


async def recommended_candidates(
    context: Context, job: Job, request: PageRequest
) -> tuple[Page, int]:
    """A ranked page of the candidates this viewer may see for a job; only the page shown is
    loaded as documents (cached, batched)."""
    assert job.id is not None
    job_id = job.id
    note_read(INDEX_READ)
    scope = _candidate_scope(context, job)
    near = pools.FROM_VECTORS if scope == "admin" else 0
    entries = await cached_ranking(
        context,
        ranking_key(context, "candidates", str(job_id), scope),
        lambda guard: _rank_candidates(context, job_id, scope, guard),
        partial(_index_digest, context, EmbeddedKind.JOB, job_id, near),
    )
    page = ranked_page(f"recommended:candidates:{job_id}", entries, request)
    found = await context.loaders.candidate_by_id.load_many([e.owner_id for e in page.items])
    _attach(page, found)
    await _audit(context, "recommendedCandidates", {"job": job_id}, page)
    return page, len(entries)


async def _rank_jobs(
    context: Context, candidate_id: ObjectId, match: dict[str, Any], guard: Guard
) -> Computed:
    """Open jobs near the person's vector or wanting their skills, scored in full."""
    open_jobs = read_tags("jobs", {"status": JobStatus.OPEN.value})
    await guard.before_reading(read_tags("candidates", {"_id": candidate_id}) | open_jobs)
    person = await context.loaders.candidate_profile_by_id.load(candidate_id)
    if person is None:  # opted out or erased since the request began
        return Computed.empty()
    vector = _vector(context, EmbeddedKind.CANDIDATE, candidate_id)
    near = await nearest(context, EmbeddedKind.JOB, vector, 2 * pools.FROM_VECTORS)
    within = await pools.open_jobs_within(near, match)
    rows, sharing = await asyncio.gather(
        context.loaders.open_job_profile_by_id.load_many(within),
        pools.open_jobs_sharing(person.skills, match),
    )
    jobs = {oid: job for oid, job in zip(within, rows, strict=True) if job is not None}
    jobs.update(sharing)
    pool = list(jobs)
    cosines = _cosines(context, EmbeddedKind.JOB, vector, pool)
    similarity = _similarity()
    entries = [
        Ranked(oid, None, score(jobs[oid], person, cosine=cosines.get(oid),
                                skill_similarity=similarity))
        for oid in shortlist_jobs(person, jobs, cosines)
    ]  # fmt: skip
    return Computed(ranked(entries), pool, vector_digest(near, cosines, pool))


async def recommended_jobs(
    context: Context, candidate: Candidate, request: PageRequest, match: dict[str, Any]
) -> tuple[Page, int]:
    """A ranked page of open jobs for one candidate (their recruiter and admins)."""
    if not owns_candidate(context.viewer, candidate):
        raise forbid("recommendedJobs")
    assert candidate.id is not None
    candidate_id = candidate.id
    note_read(INDEX_READ)
    entries: list[Ranked[None]] = []
    if rankable(candidate):
        within = orjson.dumps(match, default=str, option=orjson.OPT_SORT_KEYS)
        entries = await cached_ranking(
            context,
            ranking_key(context, "jobs", str(candidate_id), hashlib.sha256(within).hexdigest()),
            lambda guard: _rank_jobs(context, candidate_id, match, guard),
            partial(_index_digest, context, EmbeddedKind.CANDIDATE, candidate_id,
                    2 * pools.FROM_VECTORS),
        )  # fmt: skip
    page = ranked_page(f"recommended:jobs:{candidate_id}", entries, request)
    _attach(page, await context.loaders.job_by_id.load_many([e.owner_id for e in page.items]))
    await _audit(context, "recommendedJobs", {"candidate": candidate_id}, page)
    return page, len(entries)


def _attach(page: Page, documents: list[Any]) -> None:
    """Put the loaded documents into the page's ranked entries (a vanished one drops out)."""
    pairs = zip(page.items, documents, strict=True)
    page.items = [Ranked(e.owner_id, doc, e.match) for e, doc in pairs if doc is not None]


def ranked_page(tag: str, entries: list[Ranked[Any]], request: PageRequest) -> Page:
    """One forward window of a ranking; the cursor carries (score, id)."""
    order = ordering(tag, ("score", -1))
    if request.cursor is not None:
        score_value, owner_id = decode_cursor(order, request.cursor, argument="after")
        entries = after(entries, float(score_value), owner_id)
    shown = entries[: request.limit]
    docs = [{"score": entry.match.score, "_id": entry.owner_id} for entry in shown]
    return Page(docs, order, has_next_page=len(entries) > request.limit,
                has_previous_page=request.cursor is not None, items=shown)  # fmt: skip


async def _audit(context: Context, action: str, about: dict[str, ObjectId], page: Page) -> None:
    """Who was shown which ranking, by which model: ids only, never profile values."""
    returned = [str(entry.owner_id) for entry in page.items]
    await audit(context, None, action, about, model_version=model_version(context),
                returned_ids=returned)  # fmt: skip


def computed_at() -> datetime:
    """A score outside a ranking (a submission's `match`) is computed when read; ranked scores
    carry the time their ranking was computed (crowdhire.resolvers.ranking_cache)."""
    return utcnow()
