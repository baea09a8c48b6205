"""Settings of the matching engine's in-process index."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings


class MatchingIndexSettings(BaseSettings):
    """Which structure answers nearest-vector queries (see crowdhire/matching/hnsw.py)."""

    matching_index: Literal["exact", "hnsw"] = Field(
        "exact",
        description="exact: one numpy scan (no build, recall 1); hnsw: an hnswlib graph, for"
        " pools of about 100,000 vectors or more (needs the `ann` extra)",
    )
