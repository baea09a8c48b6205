"""The demo dataset against a real mongod: sizes, determinism, references, the emptiness check."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient

from crowdhire.dev.seed import ANCHOR, BASE_COUNTS, DEMO_RECRUITER_SUB, database_is_empty, seed_demo
from crowdhire.models import DOCUMENT_MODELS
from crowdhire.models.candidates import Candidate, ConsentStatus
from crowdhire.models.companies import Company
from crowdhire.models.jobs import Job, JobStatus
from crowdhire.models.placements import Placement
from crowdhire.models.recruiters import Recruiter
from crowdhire.models.submissions import Stage, Submission

SCALE = 0.05


@asynccontextmanager
async def fresh_database(mongodb_uri: str) -> AsyncIterator[None]:
    """Beanie bound to a new, uniquely named database, dropped on the way out."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_uri)
    name = f"test_seed_{uuid.uuid4().hex[:12]}"
    try:
        await init_beanie(database=client[name], document_models=DOCUMENT_MODELS)
        yield
    finally:
        await client.drop_database(name)
        await client.close()


async def test_counts_follow_the_scale(mongodb_uri: str) -> None:
    """Each collection holds its base count times the scale, and the demo recruiter exists."""
    async with fresh_database(mongodb_uri):
        counts = await seed_demo(scale=SCALE, progress=False)

        expected = {name: max(1, round(n * SCALE)) for name, n in BASE_COUNTS.items()}
        expected["company_members"] = expected["companies"]  # one owner per company
        assert counts == expected
        for model in DOCUMENT_MODELS:  # the rest (audit, payments, receipts…) start empty
            name = model.get_pymongo_collection().name
            stored = await model.get_pymongo_collection().count_documents({})
            assert stored == counts.get(name, 0), name
        assert await Recruiter.find_one(Recruiter.sub == DEMO_RECRUITER_SUB) is not None


async def test_tiny_scale_keeps_one_of_each(mongodb_uri: str) -> None:
    """Even a very small scale yields at least one document per collection."""
    async with fresh_database(mongodb_uri):
        counts = await seed_demo(scale=0.001, progress=False)

        assert set(counts) == {*BASE_COUNTS, "company_members"}
        assert all(count >= 1 for count in counts.values())


async def test_same_seed_gives_same_data(mongodb_uri: str) -> None:
    """The same seed in two databases gives identical slugs and titles; another seed does not."""
    runs: list[tuple[list[str], list[str]]] = []
    for seed in (7, 7, 8):
        async with fresh_database(mongodb_uri):
            await seed_demo(scale=SCALE, seed=seed, progress=False)
            companies = await Company.find_all().sort("+_id").to_list()
            jobs = await Job.find_all().sort("+_id").to_list()
            runs.append(([c.slug for c in companies], [j.title for j in jobs]))

    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0]
    assert len(set(runs[0][0])) == len(runs[0][0])


async def test_references_and_money_are_consistent(mongodb_uri: str) -> None:
    """Every submission and placement points at real documents and agrees with them."""
    async with fresh_database(mongodb_uri):
        await seed_demo(scale=SCALE, progress=False)
        jobs = {j.id: j for j in await Job.find_all().to_list()}
        candidates = {c.id: c for c in await Candidate.find_all().to_list()}
        recruiters = {r.id: r for r in await Recruiter.find_all().to_list()}
        companies = {c.id: c for c in await Company.find_all().to_list()}
        submissions = {s.id: s for s in await Submission.find_all().to_list()}
        placements = await Placement.find_all().to_list()

    assert all(job.company_id in companies for job in jobs.values())
    assert all(cand.recruiter_id in recruiters for cand in candidates.values())
    assert all((job.opened_at is None) == (job.status == JobStatus.DRAFT) for job in jobs.values())
    pairs = {(s.job_id, s.candidate_id) for s in submissions.values()}
    assert len(pairs) == len(submissions)
    for sub in submissions.values():
        job, cand = jobs[sub.job_id], candidates[sub.candidate_id]
        assert sub.recruiter_id in recruiters
        assert sub.recruiter_id == cand.recruiter_id
        assert cand.consent.status == ConsentStatus.GRANTED
        assert job.status != JobStatus.DRAFT
        assert sub.history[0].from_stage is None
        assert sub.history[0].to_stage == Stage.SUBMITTED
        assert sub.history[-1].to_stage == sub.stage
        for before, after in itertools.pairwise(sub.history):
            assert after.from_stage == before.to_stage
            assert before.at <= after.at <= ANCHOR
        assert (sub.reject_reason is not None) == (sub.stage == Stage.REJECTED)
        assert sub.created_at == sub.history[0].at and sub.updated_at == sub.history[-1].at

    hired = [s for s in submissions.values() if s.stage == Stage.HIRED]
    assert len(hired) == len(placements) == max(1, round(BASE_COUNTS["placements"] * SCALE))
    assert len({p.submission_id for p in placements}) == len(placements)
    for placement in placements:
        sub, job = submissions[placement.submission_id], jobs[placement.job_id]
        assert sub.stage == Stage.HIRED
        assert (placement.job_id, placement.candidate_id) == (sub.job_id, sub.candidate_id)
        assert placement.recruiter_id == sub.recruiter_id
        assert placement.company_id == job.company_id
        terms = job.fee_terms
        assert placement.fee.amount == terms.fee_for(placement.annual_salary.amount)
        assert placement.recruiter_share.amount == terms.recruiter_share_of(placement.fee.amount)
        assert placement.fee.currency == placement.annual_salary.currency == terms.currency
        if job.salary is not None:
            assert job.salary.min <= placement.annual_salary.amount <= job.salary.max
        guarantee = timedelta(days=terms.guarantee_days)
        assert placement.guarantee_end_date == placement.start_date + guarantee
        assert placement.start_date > placement.created_at.date()


async def test_database_is_empty_before_and_after_seeding(mongodb_uri: str) -> None:
    """An untouched database is empty; a seeded one is not."""
    async with fresh_database(mongodb_uri):
        assert await database_is_empty()

        await seed_demo(scale=0.001, progress=False)

        assert not await database_is_empty()
