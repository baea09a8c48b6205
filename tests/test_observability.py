"""Request ids, JSON request logs, Prometheus /metrics, readiness with memcached down."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import parse
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from crowdhire.dev.servers import MemcachedServer
from crowdhire.graphql.observer import operation_name
from crowdhire.observability.logs import JsonFormatter, hash_sub
from tests.auth_support import Issuer
from tests.conftest import AppFactory
from tests.factories import make_candidate, make_jobs_page_graph, make_recruiter
from tests.support import gql

JOBS_PAGE = """
query JobsPage {
  jobs(first: 5) { totalCount nodes { title company { name }
    submissions(first: 3) { nodes { candidate { fullName email phone } } } } }
}
"""


COMPANY_NAMES = "query CompanyNames { jobs(first: 5) { nodes { company { name } } } }"
BAD_CURSOR = 'query BadCursor { jobs(after: "not-a-cursor") { totalCount } }'


class LineCollector(logging.Handler):
    """Formats every record with the production JSON formatter and keeps the lines."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted line."""
        self.lines.append(self.format(record))

    def access(self) -> list[dict[str, Any]]:
        """The per-request lines, parsed."""
        parsed = [json.loads(line) for line in self.lines]
        return [entry for entry in parsed if entry["logger"] == "crowdhire.access"]


@pytest.fixture
def log_lines() -> Iterator[LineCollector]:
    """Every log line the process writes at INFO (the production level), as JSON."""
    collector = LineCollector()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(collector)
    root.setLevel(logging.INFO)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
        root.setLevel(previous)


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def _metrics(
    client: httpx.AsyncClient,
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


def _value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_request_id_is_returned_taken_from_the_client_or_generated(
    client: httpx.AsyncClient, log_lines: LineCollector
) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "batch-7.item-42"})
    generated = await client.get("/healthz")
    forged = await client.get("/healthz", headers={"X-Request-ID": 'x" , "status": 200'})

    assert given.headers["X-Request-ID"] == "batch-7.item-42"
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    logged = [entry["request_id"] for entry in log_lines.access()]
    assert logged == [
        "batch-7.item-42",
        generated.headers["X-Request-ID"],
        forged.headers["X-Request-ID"],
    ]


async def test_one_json_line_per_request_with_operation_status_and_call_counts(
    client: httpx.AsyncClient, issuer: Issuer, log_lines: LineCollector
) -> None:
    await make_jobs_page_graph(jobs=5, submissions_per_job=3)

    cold = await gql(client, JOBS_PAGE)
    warm = await gql(client, JOBS_PAGE)
    bad = await gql(client, BAD_CURSOR, expect_errors=True)

    assert cold["data"] == warm["data"]
    first, second, third = log_lines.access()
    assert (first["operation"], first["status"], first["outcome"]) == ("JobsPage", 200, "ok")
    assert first["method"] == "POST" and first["path"] == "/graphql"
    assert first["duration_ms"] > 0
    assert first["calls"]["mongodb"] >= 5  # jobs, count, companies, submissions, candidates
    assert first["calls"]["memcached"] >= 1
    assert set(first["calls"]) >= {"mongodb", "memcached", "stripe", "jwks"}
    assert first["cache"]["hits"] == 0 and first["cache"]["misses"] > 0
    assert first["response_cache"] == "miss"
    # answered from the response cache: no object-cache lookup, no MongoDB command
    assert second["response_cache"] == "hit" and second["calls"]["memcached"] >= 1
    assert second["cache"] == {"hits": 0, "misses": 0}
    assert second["calls"]["mongodb"] == 0 < first["calls"]["mongodb"]
    assert first["viewer"] == hash_sub("auth0|test-admin")
    assert (third["operation"], third["outcome"]) == ("BadCursor", "error")
    assert third["error_codes"] == ["BAD_USER_INPUT"]
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_metrics_count_latency_errors_external_calls_and_cache_hits(
    client: httpx.AsyncClient,
) -> None:
    await make_jobs_page_graph(jobs=5, submissions_per_job=3)
    before = await _metrics(client)

    await gql(client, JOBS_PAGE)
    await gql(client, JOBS_PAGE)  # answered from the response cache: no MongoDB command
    await gql(client, COMPANY_NAMES)  # another document: executes, companies from the cache
    await gql(client, BAD_CURSOR, expect_errors=True)
    await gql(client, "{ jobs { nope } }", expect_errors=True)
    after = await _metrics(client)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    duration = "crowdhire_request_duration_seconds"
    assert delta(f"{duration}_count", operation="JobsPage", outcome="ok") == 2
    assert delta(f"{duration}_bucket", operation="JobsPage", outcome="ok", le="+Inf") == 2
    assert delta(f"{duration}_sum", operation="JobsPage", outcome="ok") > 0
    assert delta(f"{duration}_count", operation="BadCursor", outcome="error") == 1
    assert delta(f"{duration}_count", operation="anonymous", outcome="error") == 1
    assert delta("crowdhire_graphql_errors_total", code="BAD_USER_INPUT") == 1
    assert delta("crowdhire_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    external = "crowdhire_external_call_duration_seconds"
    # the first JobsPage: jobs, count, companies, submissions, candidates (the second: none)
    assert delta(f"{external}_count", target="mongodb") >= 5
    # JobsPage, CompanyNames and BadCursor executed; the second JobsPage did not
    assert delta("crowdhire_response_cache_total", result="miss") == 3
    assert delta("crowdhire_response_cache_total", result="hit") == 1
    assert delta(f"{external}_sum", target="mongodb") > 0
    assert delta(f"{external}_count", target="memcached") >= 2
    assert (f"{external}_count", frozenset({("target", "stripe")})) in after
    assert ("crowdhire_external_call_errors_total", frozenset({("target", "jwks")})) in after
    assert delta("crowdhire_cache_lookups_total", result="hit") > 0
    assert delta("crowdhire_cache_lookups_total", result="miss") > 0
    assert 0 < _value(after, "crowdhire_cache_hit_ratio") < 1
    # the /metrics request itself is in flight while it renders
    assert _value(after, "crowdhire_requests_in_flight") >= 1


async def test_operation_labels_come_from_the_document_and_are_capped(
    client: httpx.AsyncClient,
) -> None:
    spoofed = await client.post(
        "/graphql",
        json={"query": "query Real { __typename }", "operationName": "Invented"},
    )
    for n in range(110):
        await gql(client, f"query Distinct{n} {{ __typename }}")
    samples = await _metrics(client)

    assert spoofed.json()["errors"]
    operations = {
        dict(labels)["operation"]
        for (name, labels) in samples
        if name == "crowdhire_request_duration_seconds_count"
    }
    assert "Invented" not in operations
    assert "other" in operations
    fixed = {"/healthz", "/readyz", "/metrics", "not_executed", "other"}
    assert len(operations - fixed) == 100  # the cap: later names count as "other"
    assert (
        _value(samples, "crowdhire_request_duration_seconds_count", operation="other", outcome="ok")
        >= 10
    )


def test_operation_name_is_one_the_document_defines() -> None:
    two = parse("query A { a } query B { b }")

    assert operation_name(parse("query Jobs { a }"), "Jobs") == "Jobs"
    assert operation_name(parse("{ a }"), None) == "anonymous"
    assert operation_name(two, "B") == "B"
    assert operation_name(two, "Invented") == "unknown"
    assert operation_name(two, None) == "unknown"
    assert operation_name(None, "Jobs") == "unparsed"


async def test_readyz_reports_memcached_degraded_but_stays_ready(
    app_factory: AppFactory,
) -> None:
    with MemcachedServer() as memcached:
        async with app_factory(memcached_url=memcached.address) as (_, client):
            healthy = await client.get("/readyz")
            memcached.pause()
            try:
                degraded = await client.get("/readyz")
                errors = _value(
                    await _metrics(client),
                    "crowdhire_external_call_errors_total",
                    target="memcached",
                )
            finally:
                memcached.resume()
            recovered = None
            for _ in range(50):  # the cache skips memcached for CACHE_RETRY_SECONDS after a failure
                await asyncio.sleep(0.1)
                recovered = await client.get("/readyz")
                if recovered.json()["status"] == "ok":
                    break

    assert (healthy.status_code, healthy.json()) == (
        200,
        {"status": "ok", "mongodb": "ok", "memcached": "ok"},
    )
    assert (degraded.status_code, degraded.json()) == (
        200,
        {"status": "degraded", "mongodb": "ok", "memcached": "degraded"},
    )
    assert errors >= 1
    assert recovered is not None and recovered.json()["memcached"] == "ok"


async def test_logs_of_a_full_scenario_carry_no_personal_data_tokens_or_secrets(
    app_factory: AppFactory, issuer: Issuer, log_lines: LineCollector
) -> None:
    stripe_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
    webhook_secret = "whsec_Q7fake0secret0value"
    secrets = {
        "stripe_api_key": SecretStr(stripe_key),
        "stripe_webhook_secret": SecretStr(webhook_secret),
    }
    async with app_factory(**secrets) as (_, http):
        recruiter = await make_recruiter(sub="auth0|scenario-recruiter")
        candidates = [await make_candidate(recruiter) for _ in range(3)]
        await make_jobs_page_graph(jobs=3, submissions_per_job=2)
        admin = issuer.admin_token()
        own = issuer.token("auth0|scenario-recruiter")
        tokens = [admin, own, "not-a-valid-token." + admin[-20:]]
        for token in tokens:
            headers = {"Authorization": f"Bearer {token}", "Stripe-Signature": webhook_secret}
            await http.post("/graphql", json={"query": JOBS_PAGE}, headers=headers)
            await http.post(
                "/graphql",
                json={
                    "query": "query Find($text: String) { candidates(filter: {location: $text})"
                    " { nodes { fullName email phone } } }",
                    "variables": {"text": candidates[0].email},
                },
                headers=headers,
            )
            await http.post("/graphql", json={"query": "{ nope }"}, headers=headers)
        await http.get("/readyz")
        await http.get("/metrics")

    text = "\n".join(log_lines.lines)
    assert len(log_lines.access()) == 3 * 3 + 2
    personal = [c.email for c in candidates] + [c.phone for c in candidates] + [recruiter.email]
    for value in [*personal, *tokens, stripe_key, webhook_secret, "auth0|scenario-recruiter"]:
        assert value is not None and value not in text, value
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), "an email address was logged"
    assert not re.search(r"\+\d{8,15}", text), "a phone number was logged"
    assert "sk_" not in text and "whsec_" not in text
    assert "Bearer" not in text and "eyJ" not in text  # no JWT (their header starts eyJ)
    assert str(hash_sub("auth0|scenario-recruiter")) in text
