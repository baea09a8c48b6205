"""A small hiring world for the matching tests: one company and job, two recruiters and their
candidates, on an app without a background worker (a test drains the queue when it wants)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from crowdhire.matching.service import MatchingService
from crowdhire.matching.tasks import enqueue_embedding
from crowdhire.models import Candidate, Company, Job, Recruiter
from crowdhire.models.companies import CompanyMember, MemberRole
from crowdhire.models.embeddings import EmbeddedKind
from crowdhire.models.jobs import RemotePolicy
from crowdhire.server import task_handlers
from crowdhire.tasks.worker import TaskWorker
from tests.conftest import AppFactory
from tests.factories import make_candidate, make_company, make_job, make_recruiter


@dataclass
class World:
    """A hiring company with one job, two recruiters and their candidates."""

    app: Starlette
    http: httpx.AsyncClient
    matching: MatchingService
    worker: TaskWorker
    company: Company
    job: Job
    rita: Recruiter
    sam: Recruiter
    backend: Candidate
    designer: Candidate
    sams: Candidate


@asynccontextmanager
async def hiring_world(app_factory: AppFactory, **overrides: Any) -> AsyncIterator[World]:
    """The world on its own app (setting `overrides` applied), without a background worker."""
    async with app_factory(worker_enabled=False, **overrides) as (app, http):
        services = app.state.services
        worker = TaskWorker(task_handlers(services.settings, services.cache, services.matching))
        company = await make_company()
        await CompanyMember(company_id=company.id, sub="auth0|acme", role=MemberRole.OWNER).insert()
        job = await make_job(company, title="Backend Engineer",
                             description="Build server-side APIs and services in Python.",
                             skills=[], must_have_skills=["python", "postgresql"],
                             remote_policy=RemotePolicy.REMOTE)  # fmt: skip
        rita = await make_recruiter(sub="auth0|rita")
        sam = await make_recruiter(sub="auth0|sam")
        backend = await make_candidate(
            rita, full_name="Ada Backend", headline="Server-side developer",
            skills=["python", "postgres"], summary="I build APIs and services.",
            open_to_remote=True,
        )  # fmt: skip
        designer = await make_candidate(rita, full_name="Dee Designer", headline="Product designer",
                                        skills=["figma"], summary="I design screens.")  # fmt: skip
        sams = await make_candidate(sam, full_name="Sam's Pick", headline="Python developer",
                                    skills=["python"], summary="Backend services.")  # fmt: skip
        for owner in (job, backend, designer, sams):
            assert owner.id is not None
        yield World(app, http, services.matching, worker, company, job, rita, sam, backend,
                    designer, sams)  # fmt: skip


async def embed_everything(world: World) -> None:
    """Embed the job and the three candidates now."""
    assert world.job.id is not None
    await enqueue_embedding(EmbeddedKind.JOB, world.job.id)
    for person in (world.backend, world.designer, world.sams):
        assert person.id is not None
        await enqueue_embedding(EmbeddedKind.CANDIDATE, person.id)
    assert await world.worker.drain() == 4


def ranked_names(data: dict[str, object]) -> list[str]:
    """The names in a `node { recommendedCandidates }` answer, best first."""
    nodes = data["node"]["recommendedCandidates"]["nodes"]  # type: ignore[index]
    return [node["candidate"]["fullName"] for node in nodes]
