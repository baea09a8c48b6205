"""`make bench-ann`: ANN libraries against the exact numpy scan, recall@200 and query latency.

The vectors are real model output: candidate profiles drawn from the evaluation set's role
archetypes (same generator, another seed), embedded with the production model; the queries are
job texts drawn the same way. Ground truth is the exact top 200 by cosine. The libraries are
not project dependencies: `pip install hnswlib usearch faiss-cpu` into the venv to measure them
(a missing one is reported as such). One thread everywhere, as a request has one core.
Writes bench/results/matching_ann.json.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from bench.matching.archetypes import ARCHETYPES
from bench.matching.make_eval_set import BANDS, _candidate, _job
from crowdhire.matching.embeddings import Vectors, shared_encoder

RESULTS = Path(__file__).parents[1] / "results" / "matching_ann.json"
K = 200
QUERIES = 200
SIZES = (20_000, 100_000)
EFS = (200, 400, 800)
"""Search breadths tried (at least k: an HNSW search keeps ef candidates to return k)."""
Search = Callable[[Vectors], np.ndarray]
"""A query vector to the row numbers of its top K."""


def _texts(count: int, seed: int, make: Callable[..., dict[str, Any]]) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for index in range(count):
        row = make(rng, index, rng.choice(ARCHETYPES), rng.randrange(len(BANDS)))
        if "headline" in row:
            texts.append(f"{row['headline']}. {row['summary']} Skills: {', '.join(row['skills'])}.")
        else:
            texts.append(f"{row['title']}. {row['description']}")
    return texts


def _exact(matrix: Vectors) -> Search:
    def search(query: Vectors) -> np.ndarray:
        values = matrix @ query
        top = np.argpartition(-values, K - 1)[:K]
        return top[np.argsort(-values[top])]

    return search


class _Built:
    """A built index and how to query it at a given search breadth (ef)."""

    def __init__(self, index: Any, query: Callable[[Any, Vectors, int], np.ndarray]) -> None:
        self.index, self._query = index, query

    def at(self, ef: int) -> Search:
        """The search function at this ef."""
        return lambda vector: self._query(self.index, vector, ef)


def _hnswlib(matrix: Vectors) -> _Built:
    hnswlib = importlib.import_module("hnswlib")
    index = hnswlib.Index(space="ip", dim=matrix.shape[1])
    index.init_index(max_elements=len(matrix), ef_construction=200, M=16)
    index.set_num_threads(1)
    index.add_items(matrix, np.arange(len(matrix)))

    def query(built: Any, vector: Vectors, ef: int) -> np.ndarray:
        built.set_ef(ef)
        return np.asarray(built.knn_query(vector, k=K)[0][0])

    return _Built(index, query)


def _usearch(matrix: Vectors) -> _Built:
    module = importlib.import_module("usearch.index")
    index = module.Index(ndim=matrix.shape[1], metric="ip", dtype="f32", connectivity=16,
                         expansion_add=200)  # fmt: skip
    index.add(np.arange(len(matrix)), matrix, threads=1)

    def query(built: Any, vector: Vectors, ef: int) -> np.ndarray:
        built.expansion_search = ef
        return np.asarray(built.search(vector, K, threads=1).keys)

    return _Built(index, query)


def _faiss_hnsw(matrix: Vectors) -> _Built:
    faiss = importlib.import_module("faiss")
    faiss.omp_set_num_threads(1)
    index = faiss.IndexHNSWFlat(matrix.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 200
    index.add(matrix)

    def query(built: Any, vector: Vectors, ef: int) -> np.ndarray:
        built.hnsw.efSearch = ef
        return np.asarray(built.search(vector[None, :], K)[1][0])

    return _Built(index, query)


def _measure(search: Search, queries: Vectors, truth: list[set[int]]) -> dict[str, float]:
    times, recalls = [], []
    for query, expected in zip(queries, truth, strict=True):
        started = time.perf_counter()
        found = search(query)
        times.append((time.perf_counter() - started) * 1000)
        recalls.append(len(expected & {int(i) for i in found}) / K)
    ordered = sorted(times)
    return {"recall_at_200": round(statistics.mean(recalls), 4),
            "p50_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3)}  # fmt: skip


def _libraries(matrix: Vectors, queries: Vectors, truth: list[set[int]]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    builders = {"hnswlib": _hnswlib, "usearch": _usearch, "faiss_hnsw": _faiss_hnsw}
    for name, build in builders.items():
        try:
            started = time.perf_counter()
            built = build(matrix)
        except ImportError:
            results[name] = "not installed"
            continue
        results[name] = {"build_seconds": round(time.perf_counter() - started, 1)}
        for ef in EFS:
            results[name][f"ef_{ef}"] = _measure(built.at(ef), queries, truth)
    return results


def table(report: dict[str, Any]) -> str:
    """The README table: recall@200 and p50 per library and ef, beside the exact scan."""
    rows = ["| Vectors | Index | build s | recall@200 / p50 ms at ef 200 · 400 · 800 |",
            "|---|---|---|---|"]  # fmt: skip
    for size in map(str, SIZES):
        exact = report[size]["exact_numpy"]
        rows.append(f"| {int(size):,} | exact numpy | none | {exact['recall_at_200']} / "
                    f"{exact['p50_ms']} |")  # fmt: skip
        for name, found in report[size].items():
            if name == "exact_numpy" or not isinstance(found, dict):
                continue
            cells = " · ".join(f"{found[f'ef_{ef}']['recall_at_200']} / "
                               f"{found[f'ef_{ef}']['p50_ms']}" for ef in EFS)  # fmt: skip
            rows.append(f"| {int(size):,} | {name} | {found['build_seconds']} | {cells} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    """Embed the pool, take the exact truth, time every installed library at a few ef."""
    encoder = shared_encoder()
    pool = encoder.encode(_texts(max(SIZES), 1601, _candidate))
    queries = encoder.encode(_texts(QUERIES, 1602, _job))
    report: dict[str, Any] = {"k": K, "queries": QUERIES, "cores": os.cpu_count(),
                              "load_average": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    with threadpool_limits(limits=1, user_api="blas"):
        for size in SIZES:
            matrix = np.ascontiguousarray(pool[:size])
            exact = _exact(matrix)
            truth = [{int(i) for i in exact(query)} for query in queries]
            report[str(size)] = {"exact_numpy": _measure(exact, queries, truth),
                                 **_libraries(matrix, queries, truth)}  # fmt: skip
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    RESULTS.with_suffix(".md").write_text(table(report))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
