"""Response-cache staleness checks shared by the test files of mutations with their own set-up."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import AppFactory
from tests.support import gql

_HITS = re.compile(r'^crowdhire_response_cache_total\{result="hit"\} ([0-9.e+]+)$', re.M)
Reads = list[tuple[str, dict[str, Any], str]]


async def cache_hits(http: httpx.AsyncClient) -> float:
    """Response-cache hits this app has counted (its /metrics)."""
    found = _HITS.search((await http.get("/metrics")).text)
    return float(found.group(1)) if found else 0.0


async def store_answers(http: httpx.AsyncClient, reads: Reads) -> list[Any]:
    """Each read's answer, checked to be served from the response cache when asked again."""
    answers = []
    for query, variables, token in reads:
        answers.append((await gql(http, query, variables, as_=token))["data"])
        hits = await cache_hits(http)
        assert (await gql(http, query, variables, as_=token))["data"] == answers[-1]
        assert await cache_hits(http) == hits + 1
    return answers


async def check_answers(
    served: httpx.AsyncClient, app_factory: AppFactory, reads: Reads, before: list[Any]
) -> list[bool]:
    """Every read answers what an uncached server answers; which of them changed."""
    changed = []
    async with app_factory(response_cache_enabled=False) as (_, uncached):
        for (query, variables, token), old in zip(reads, before, strict=True):
            answer = (await gql(served, query, variables, as_=token))["data"]
            assert answer == (await gql(uncached, query, variables, as_=token))["data"], query
            changed.append(answer != old)
    return changed
