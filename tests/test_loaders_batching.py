"""The N+1 guard: the jobs page costs the same few MongoDB commands at any page size."""

from __future__ import annotations

import httpx
import pytest

from crowdhire.cache import ObjectCache
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_jobs_page_graph
from tests.support import CommandCounter, gql

JOBS_PAGE = """
query($first: Int!) {
  jobs(first: $first, filter: { status: [OPEN] }) {
    edges { node {
      title
      company { name }
      submissions(first: 10) { edges { node {
        stage
        candidate { fullName skills }
        recruiter { displayName }
      } } }
    } }
  }
}
"""


async def _page_commands(
    client: httpx.AsyncClient, commands: CommandCounter, jobs: int
) -> tuple[int, list[str]]:
    commands.reset()
    body = await gql(client, JOBS_PAGE, {"first": jobs})
    returned = body["data"]["jobs"]["edges"]
    assert len(returned) == jobs
    assert all(len(e["node"]["submissions"]["edges"]) == 10 for e in returned)
    assert all(e["node"]["company"]["name"] for e in returned)
    return commands.count, list(commands.names)


@pytest.mark.parametrize("jobs", [5, 50])
async def test_jobs_page_commands_do_not_grow_with_the_page(
    app_factory: AppFactory, issuer: Issuer, mongo_commands: CommandCounter, jobs: int
) -> None:
    # The response cache would answer the warm request with no command at all
    # (tests/test_response_cache.py); this guards the loaders and the object cache underneath.
    # A generous cache timeout: this counts commands with memcached answering, and on a loaded
    # 2-core CI box decoding 500 candidates can hold the loop past the 50 ms default (the
    # fail-open fallback that then kicks in has its own tests in tests/test_cache.py).
    overrides = {"response_cache_enabled": False, "cache_timeout_ms": 1000}
    async with app_factory(**overrides) as (app, client):
        client.headers["Authorization"] = f"Bearer {issuer.admin_token()}"
        cache: ObjectCache = app.state.services.cache
        await make_jobs_page_graph(jobs=50, submissions_per_job=12)

        cold, cold_names = await _page_commands(client, mongo_commands, jobs)
        warm, warm_names = await _page_commands(client, mongo_commands, jobs)

    # jobs find, companies $in, submissions $topN, candidates $in, recruiters $in
    assert cold == 5, cold_names
    assert cold_names.count("find") == 4
    assert cold_names.count("aggregate") == 1
    # warm: companies, candidates and recruiters come from memcached
    assert warm == 2, warm_names
    assert cache.stats.hits > 0
