"""Without an object cache, a submission's candidate is read without the fields nobody selected."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from crowdhire.cache import NullCache
from crowdhire.loaders.base import ProjectedByIdLoader
from crowdhire.loaders.candidates import CandidateByIdLoader
from crowdhire.models import Candidate
from crowdhire.models.trusted import NotLoaded
from crowdhire.schema.candidates import READS
from tests.conftest import AppFactory
from tests.factories import make_jobs_page_graph
from tests.support import CommandCounter, gql

UNCACHED = {"cache_enabled": False, "response_cache_enabled": False}


def pipeline(candidate_fields: str) -> str:
    """A jobs page whose submissions show their candidate with these fields."""
    return f"""{{ jobs(first: 10) {{ nodes {{ id submissions(first: 5) {{
      nodes {{ id candidate {{ {candidate_fields} }} }} }} }} }} }}"""


def candidates_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The candidates a pipeline answer shows, in order."""
    jobs = body["data"]["jobs"]["nodes"]
    return [s["candidate"] for job in jobs for s in job["submissions"]["nodes"]]


def left_out(commands: CommandCounter) -> list[set[str]]:
    """For each read of candidates since the last reset, the fields it left out."""
    return [
        {name for name, keep in projection.items() if keep == 0}
        for collection, projection in commands.projections
        if collection == "candidates"
    ]


async def stored_candidates() -> dict[str, Candidate]:
    """Every stored candidate, by name."""
    return {c.full_name: c for c in await Candidate.find_all().to_list()}


@dataclass
class PipelineRead:
    """One pipeline answer, what its candidate reads left out, and the stored candidates."""

    shown: list[dict[str, Any]]
    left_out: list[set[str]]
    stored: dict[str, Candidate]


@pytest.fixture
def read_pipeline(
    app_factory: AppFactory, issuer: Any, mongo_commands: CommandCounter
) -> Callable[..., Awaitable[PipelineRead]]:
    """Seed jobs with submissions, then read their pipeline showing these candidate fields."""

    async def read(fields: str, jobs: int = 2, per_job: int = 1, **overrides: Any) -> PipelineRead:
        async with app_factory(**(overrides or UNCACHED)) as (_, http):
            await make_jobs_page_graph(jobs, per_job)
            mongo_commands.reset()
            body = await gql(http, pipeline(fields), as_=issuer.admin_token())
            return PipelineRead(
                candidates_of(body), left_out(mongo_commands), await stored_candidates()
            )

    return read


async def test_a_pipeline_reads_only_what_its_candidates_show(
    read_pipeline: Callable[..., Awaitable[PipelineRead]],
) -> None:
    read = await read_pipeline("id fullName skills", jobs=3, per_job=2)
    assert read.left_out == [set(READS.omittable) - {"skills"}]
    assert len(read.shown) == 6
    for candidate in read.shown:
        assert candidate["skills"] == read.stored[candidate["fullName"]].skills


async def test_consent_is_read_when_shown(
    read_pipeline: Callable[..., Awaitable[PipelineRead]],
) -> None:
    read = await read_pipeline("fullName consent { status changedAt } desiredSalary { amount }")
    [omitted] = read.left_out
    assert "consent" not in omitted and "desired_salary" not in omitted
    assert {"email", "summary", "links"} <= omitted
    assert len(read.shown) == 2
    for candidate in read.shown:
        assert candidate["consent"] == {
            "status": "GRANTED",
            "changedAt": "2026-01-01T00:00:00+00:00",
        }
        assert candidate["desiredSalary"] is None


async def test_fields_that_look_at_the_whole_candidate_read_it_whole(
    read_pipeline: Callable[..., Awaitable[PipelineRead]],
) -> None:
    # contact fields decide from consent and the candidacies who may see them
    read = await read_pipeline("fullName email")
    assert read.left_out == [set()]
    assert len(read.shown) == 2
    for candidate in read.shown:
        assert candidate["email"] == read.stored[candidate["fullName"]].email


async def test_aliases_with_different_selections_each_get_their_fields(
    app_factory: AppFactory, issuer: Any
) -> None:
    async with app_factory(**UNCACHED) as (_, http):
        await make_jobs_page_graph(2, 2)
        document = """{ jobs(first: 10) { nodes { submissions(first: 5) { nodes {
          short: candidate { fullName } long: candidate { fullName headline email } } } } } }"""
        body = await gql(http, document, as_=issuer.admin_token())
        stored = await stored_candidates()
        for job in body["data"]["jobs"]["nodes"]:
            for node in job["submissions"]["nodes"]:
                person = stored[node["short"]["fullName"]]
                assert node["long"] == {
                    "fullName": person.full_name,
                    "headline": person.headline,
                    "email": person.email,
                }


@pytest.mark.parametrize(
    "overrides",
    [{"cache_enabled": True}, {**UNCACHED, "projected_objects": False}],
    ids=["object cache on", "setting off"],
)
async def test_whole_candidates_with_an_object_cache_or_the_setting_off(
    read_pipeline: Callable[..., Awaitable[PipelineRead]], overrides: Any
) -> None:
    # what memcached holds must serve every later selection, so a cached deployment reads
    # whole objects (and caches them)
    read = await read_pipeline("id fullName", **overrides)
    assert read.left_out == [set()]


async def test_a_forgotten_candidate_is_read_again_also_where_projected(
    app_factory: AppFactory,
) -> None:
    async with app_factory(**UNCACHED):
        await make_jobs_page_graph(1, 1)
        [person] = (await stored_candidates()).values()
        assert person.id is not None
        loader = CandidateByIdLoader(NullCache())
        omit = frozenset({"email", "consent"})
        first = await loader.without(omit).load(person.id)
        assert first is not None and isinstance(first.email, NotLoaded)
        await Candidate.get_pymongo_collection().update_one(
            {"_id": person.id}, {"$set": {"full_name": "Renamed"}}
        )
        held = await loader.without(omit).load(person.id)
        assert held is not None and held.full_name == person.full_name  # one request, one state
        with contextlib.suppress(KeyError):  # as `forget` after a write: never loaded whole
            loader.clear(person.id)
        again = await loader.without(omit).load(person.id)
        assert again is not None and again.full_name == "Renamed"


async def test_reads_never_leave_out_the_owner_or_required_fields(app_factory: AppFactory) -> None:
    async with app_factory(**UNCACHED):  # the models know their collections
        check_declaration()


def check_declaration() -> None:
    """The candidate declaration and what the loader refuses."""
    ProjectedByIdLoader(Candidate, READS.omittable)  # the declaration itself is accepted
    with pytest.raises(ValueError, match="recruiter_id"):  # visibility and cache tags read it
        ProjectedByIdLoader(Candidate, frozenset({"recruiter_id"}))
    with pytest.raises(ValueError, match="full_name"):  # validation needs it
        ProjectedByIdLoader(Candidate, frozenset({"full_name"}))
    assert READS.unread(frozenset({"fullName", "links"})) == frozenset()  # undeclared: read whole
