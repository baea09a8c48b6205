"""Settings of the matching engine: its in-process index and its ranking cache."""

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
    matching_ranking_cache_seconds: int = Field(
        600,
        ge=0,
        description="How long a computed ranking stays in memcached (0: never stored). Until"
        " then it is served again only while the job or candidate, the pool it ranked and the"
        " vectors it used are unchanged; the limit only bounds memory.",
    )
