"""`make eval`: nDCG@10 and precision@10 of three rankers on the frozen evaluation set.

(a) skills overlap only (exact names); (b) the structured score (every component but the
semantic one, aliases included); (c) structured + semantic (text vectors and skill-name
similarity). Also measures the model's cost: installed size, RSS, embeddings per second.
Writes bench/results/matching.json and bench/results/matching.md (the README table).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import resource
import time
from collections.abc import Callable
from importlib.metadata import distribution
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from crowdhire.matching.embeddings import Vectors, shared_encoder
from crowdhire.matching.profiles import CandidateProfile, DesiredSalary, JobProfile, SalaryBand
from crowdhire.matching.score import score
from crowdhire.models.jobs import RemotePolicy

ROOT = Path(__file__).parents[2]
SET_PATH = Path(__file__).parent / "eval_set.json.gz"
RESULTS = ROOT / "bench" / "results"
K = 10
RELEVANT = 2  # precision@10 counts grades 2 and 3 as relevant

ADDED_PACKAGES = ("wordllama", "tokenizers", "safetensors", "huggingface-hub", "hf-xet",
                  "httpx2", "httpcore2", "fsspec", "filelock", "toml", "numpy")  # fmt: skip
"""What `pip install` added for matching (numpy included: nothing else here needed it)."""

Ranker = Callable[[int, list[int]], list[float]]


def job_of(row: dict[str, Any]) -> JobProfile:
    """A generated job as a profile."""
    salary = row["salary"]
    return JobProfile(
        title=row["title"], description=row["description"], must_have=tuple(row["mustHave"]),
        nice_to_have=tuple(row["niceToHave"]), min_years=row["minYears"],
        max_years=row["maxYears"], location=row["location"],
        remote_policy=RemotePolicy(row["remotePolicy"]),
        salary=SalaryBand(salary["min"], salary["max"], salary["currency"]),
        languages=tuple(row["languages"]),
    )  # fmt: skip


def candidate_of(row: dict[str, Any]) -> CandidateProfile:
    """A generated candidate as a profile."""
    wish = row["desiredSalary"]
    return CandidateProfile(
        headline=row["headline"], summary=row["summary"], skills=tuple(row["skills"]),
        years_experience=row["yearsExperience"], location=row["location"],
        open_to_remote=row["openToRemote"],
        desired_salary=DesiredSalary(wish["amount"], wish["currency"]) if wish else None,
        languages=tuple(row["languages"]),
    )  # fmt: skip


def ndcg_precision(ranked: list[str], labels: dict[str, int]) -> tuple[float, float]:
    """nDCG@K with gains 2^grade - 1, and precision@K of grades ≥ RELEVANT."""
    dcg = sum((2 ** labels.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(ranked[:K]))
    ideal = sorted(labels.values(), reverse=True)[:K]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    hits = sum(1 for c in ranked[:K] if labels.get(c, 0) >= RELEVANT)
    return (dcg / best if best else 0.0), hits / K


class Encoder(Protocol):
    """What the evaluation needs of a model (the default's or one being compared)."""

    def encode(self, texts: list[str]) -> Vectors:
        """Unit vectors, one per text."""

    def name_similarity(self, first: str, second: str) -> float:
        """Cosine of two skill names."""


def evaluate(
    data: dict[str, Any], split: str, encoder: Encoder | None = None
) -> dict[str, dict[str, float]]:
    """Mean nDCG@10 and precision@10 per ranker over one split's jobs (default model)."""
    jobs = {row["id"]: row for row in data["jobs"]}
    people = data["candidates"]
    profiles = [candidate_of(row) for row in people]
    encoder = encoder or shared_encoder()
    person_vectors = encoder.encode([p.text for p in profiles])
    rankers: dict[str, Callable[[JobProfile, Any], list[float]]] = {
        "a_skills_overlap": lambda job, _: [
            len(set(job.must_have + job.nice_to_have) & set(p.skills)) for p in profiles
        ],
        "b_structured": lambda job, _: [score(job, p, semantic=False).score for p in profiles],
        "c_structured_semantic": lambda job, cosines: [
            score(job, p, cosine=float(c), skill_similarity=encoder.name_similarity).score
            for p, c in zip(profiles, cosines, strict=True)
        ],
    }
    totals = {name: [0.0, 0.0] for name in rankers}
    ids = data["split"][split]
    for job_id in ids:
        job = job_of(jobs[job_id])
        cosines = person_vectors @ encoder.encode([job.text])[0]
        for name, rank in rankers.items():
            values = np.asarray(rank(job, cosines), dtype=np.float64)
            order = np.lexsort((np.arange(len(values)), -values))  # ties: generation order
            ranked = [people[i]["id"] for i in order[:K]]
            ndcg, precision = ndcg_precision(ranked, data["labels"][job_id])
            totals[name][0] += ndcg
            totals[name][1] += precision
    return {
        name: {"ndcg@10": round(n / len(ids), 4), "precision@10": round(p / len(ids), 4)}
        for name, (n, p) in totals.items()
    }


def model_cost() -> dict[str, float]:
    """Installed size of the model's packages, RSS after loading, embeddings per second."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    encoder = shared_encoder()
    line = "Python, PostgreSQL and Kubernetes in production; built APIs and on-call tooling."
    texts = [f"Senior backend engineer {i}: {line}" for i in range(5000)]
    started = time.perf_counter()
    encoder.encode(texts)
    rate = len(texts) / (time.perf_counter() - started)
    size = 0
    for name in ADDED_PACKAGES:
        dist = distribution(name)
        size += sum((Path(str(dist.locate_file(f)))).stat().st_size for f in dist.files or [])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "installed_mb": round(size / 2**20, 1),
        "rss_mb_after_load": round(rss / 1024, 1),
        "rss_mb_added_by_model": round((rss - before) / 1024, 1),
        "embeddings_per_second": round(rate),
    }


def table(results: dict[str, Any]) -> str:
    """The README table."""
    rows = [
        "| Ranker | dev nDCG@10 | dev P@10 | test nDCG@10 | test P@10 |",
        "|---|---|---|---|---|",
    ]
    for name in results["test"]:
        dev, test = results["dev"][name], results["test"][name]
        rows.append(f"| {name} | {dev['ndcg@10']:.3f} | {dev['precision@10']:.3f} | "
                    f"{test['ndcg@10']:.3f} | {test['precision@10']:.3f} |")  # fmt: skip
    gain = results["test_gain_c_over_a"]
    cost = results["model"]
    rows.append("")
    rows.append(f"(c) over (a) on test: **{gain:+.1%}** nDCG@10. "
                f"Model `{results['model_version']}`: "
                f"{cost['installed_mb']} MB installed, +{cost['rss_mb_added_by_model']} MB RSS "
                f"({cost['rss_mb_after_load']} MB process), {cost['embeddings_per_second']:,} "
                "embeddings/s on one core.")  # fmt: skip
    return "\n".join(rows) + "\n"


def main() -> None:
    """Run both splits (dev for tuning, test for the report) and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    args = parser.parse_args()
    data = json.loads(gzip.decompress(SET_PATH.read_bytes()))
    cost = model_cost()
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    results: dict[str, Any] = {split: evaluate(data, split) for split in splits}
    print(json.dumps(results, indent=2))
    if args.split != "both":
        return
    a, c = results["test"]["a_skills_overlap"], results["test"]["c_structured_semantic"]
    results |= {
        "test_gain_c_over_a": round(c["ndcg@10"] / a["ndcg@10"] - 1, 4),
        "model": cost,
        "model_version": shared_encoder().version,
        "jobs": {split: len(data["split"][split]) for split in ("dev", "test")},
        "candidates": len(data["candidates"]),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "matching.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "matching.md").write_text(table(results))
    print(table(results))


if __name__ == "__main__":
    main()
