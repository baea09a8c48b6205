"""The embedding model: wordllama's bundled l2_supercat weights, loaded from the wheel on disk.

wordllama's own loader looks for its tokenizer under a directory name the wheel does not use
and then downloads from the Hugging Face hub; reading both files from the installed package
ourselves keeps start-up offline and the weights exactly those pinned by the dependency.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

CONFIG = "l2_supercat"
DIMENSIONS = 256


def model_version() -> str:
    """The name `modelVersion` reports (known without loading the model)."""
    return f"wordllama-{version('wordllama')}/{CONFIG}-{DIMENSIONS}"


class TextEncoder:
    """Unit-length sentence vectors (mean-pooled token embeddings) for a list of texts."""

    def __init__(self) -> None:
        import wordllama  # noqa: PLC0415 - a 0.4 s import only worker and eval pay
        from safetensors import safe_open  # noqa: PLC0415
        from tokenizers import Tokenizer  # noqa: PLC0415
        from wordllama.inference import WordLlamaInference  # noqa: PLC0415

        root = Path(wordllama.__file__).parent
        tokenizer = Tokenizer.from_file(
            str(root / "tokenizers" / f"{CONFIG}_tokenizer_config.json")
        )
        weights = root / "weights" / f"{CONFIG}_{DIMENSIONS}.safetensors"
        with safe_open(str(weights), framework="np") as tensors:
            table = tensors.get_tensor("embedding.weight")
        self._model = WordLlamaInference(table, tokenizer)
        self._lock = threading.Lock()  # the tokenizer's padding state is shared
        self.version = model_version()

    def encode(self, texts: list[str]) -> Vectors:
        """One unit vector per text (a zero vector for a text without known tokens)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            raw = np.asarray(self._model.embed(texts), dtype=np.float32)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        unit: Vectors = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
        return unit

    @lru_cache(maxsize=20_000)  # noqa: B019 - one encoder per process, skill names repeat
    def _name_vector(self, name: str) -> Vectors:
        vector: Vectors = self.encode([name])[0]
        return vector

    @lru_cache(maxsize=200_000)  # noqa: B019 - pairs of skill names repeat across a ranking
    def name_similarity(self, first: str, second: str) -> float:
        """Cosine of two short names (skills), cached per pair."""
        if first == second:
            return 1.0
        return float(self._name_vector(first) @ self._name_vector(second))


_shared: TextEncoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> TextEncoder:
    """The process's encoder, loaded once (worker, backfill, eval)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = TextEncoder()
        return _shared


def loaded_encoder() -> TextEncoder | None:
    """The encoder if something already loaded it: requests never wait for the model."""
    return _shared
