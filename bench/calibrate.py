"""`python -m bench.calibrate`: static cost against measured server time, for the cost model.

Runs crowdhire in this process (object cache warm, response cache off, so every request
executes) on real mongod and memcached with the demo dataset, times the calibration queries in
interleaved rounds, and prints the table the README's "Cost calibration" shows: the cost, its
parts (loader batches, objects), the median server time, and cost per millisecond (the model
holds while that stays within 3x across the table).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from graphql import parse

from bench.scenarios import HOT_PROFILE, JOBS_PAGE, SEARCH, SEARCHES, global_id
from bench.servers import DB_NAME, admin_token, load_dataset
from crowdhire.dev.examples import readme_examples
from crowdhire.dev.servers import MemcachedServer, MongodServer
from crowdhire.graphql.cost import query_work
from crowdhire.graphql.schema import build_schema
from crowdhire.server import create_app
from crowdhire.settings import Environment, Settings

Query = tuple[str, str, dict[str, Any]]

EXTRA: list[Query] = [
    ("typename only", "{ __typename }", {}),
    ("one job id", "{ jobs(first: 1) { nodes { id } } }", {}),
    ("100 jobs with company", "{ jobs(first: 100) { nodes { id title company { name } } } }", {}),
    (
        "100 candidates, 5 submissions, job",
        "{ candidates(first: 100) { nodes { fullName skills"
        " submissions(first: 5) { nodes { stage job { title } } } } } }",
        {},
    ),
    (
        "20 companies, 20 jobs each",
        "{ companies { nodes { name jobs(first: 20) { nodes { title status } } } } }",
        {},
    ),
]


def calibration_queries(candidate: str) -> list[Query]:
    """The README examples, the bench scenarios and a few shapes between them."""
    queries: list[Query] = []
    for example in readme_examples():
        variables = {"id": candidate} if "$id" in example.document else {}
        queries.append((f"README {example.number}", example.document, variables))
    text, skills = SEARCHES[0]
    queries += [
        ("bench jobs_page (50)", JOBS_PAGE, {"first": 50}),
        ("bench hot_profile", HOT_PROFILE, {"id": candidate}),
        ("bench search", SEARCH, {"text": text, "skills": skills}),
    ]
    return queries + EXTRA


async def measure(settings: Settings, token: str, queries: list[Query], runs: int) -> list[Any]:
    """Median in-process server time of each query, rounds interleaved so drift hits all alike."""
    schema = build_schema()._schema
    app = create_app(settings)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    transport = httpx.ASGITransport(app=app)
    contents = [orjson.dumps({"query": d, "variables": v}) for _, d, v in queries]
    times: list[list[float]] = [[] for _ in queries]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        for attempt in range(runs + 3):  # three warm-up rounds fill the object cache
            for index, content in enumerate(contents):
                started = time.perf_counter()
                response = await client.post("/graphql", content=content, headers=headers)
                elapsed = time.perf_counter() - started
                body = response.json()
                assert "errors" not in body, (queries[index][0], body.get("errors"))
                if attempt >= 3:
                    times[index].append(elapsed * 1000)
    rows = []
    for (name, document, variables), measured in zip(queries, times, strict=True):
        work = query_work(schema, parse(document), None, variables)
        rows.append((name, work.points, work.batches, work.objects, statistics.median(measured)))
    return rows


def main() -> None:
    """Start the servers, load the data, print the calibration table."""
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate", description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crowdhire-calibrate-") as tmp:
        data_dir = Path(tmp)
        with MongodServer(data_dir / "db") as mongod, MemcachedServer() as memcached:
            _, candidate_ids = load_dataset(mongod.uri, 1.0)
            settings = Settings(
                crowdhire_env=Environment.DEV,
                data_dir=data_dir,
                mongodb_uri=mongod.uri,
                mongodb_db=DB_NAME,
                cost_budget_points=10**12,
                seed_demo=False,
                response_cache_enabled=False,
                memcached_url=memcached.address,
            )
            os.environ.setdefault("CROWDHIRE_ENV", "dev")
            candidate = global_id("Candidate", candidate_ids[0])
            queries = calibration_queries(candidate)
            rows = asyncio.run(measure(settings, admin_token(data_dir), queries, args.runs))
    print("| Query | cost | loader batches | objects | server ms (median) | cost per ms |")
    print("|---|---|---|---|---|---|")
    for name, points, batches, objects, ms in rows:
        print(f"| {name} | {points} | {batches} | {objects} | {ms:.1f} | {points / ms:.2f} |")
    ratios = [points / ms for _, points, _, _, ms in rows]
    print(
        f"\ncost per ms spans {min(ratios):.2f} to {max(ratios):.2f}:"
        f" {max(ratios) / min(ratios):.1f}x"
    )


if __name__ == "__main__":
    main()
