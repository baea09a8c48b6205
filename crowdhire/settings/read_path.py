"""Switches of the uncached read path's optimizations (issue #15), each measured by `bench/`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class ReadPathSettings(BaseSettings):
    """On by default; off reproduces the plain path, for a side-by-side measurement or a bisect."""

    graphql_compiled_execution: bool = Field(
        True, description="plain-data fields skip per-field dispatch (false: graphql-core only)"
    )
    trusted_reads: bool = Field(
        True, description="documents read from MongoDB are not re-validated (false: validate)"
    )
    projected_pages: bool = Field(
        True,
        description="a page of children leaves out stored fields its selection never reads "
        "(a submission's history; false: whole documents)",
    )
    projected_objects: bool = Field(
        True,
        description="without an object cache, a related object is read without the stored "
        "fields its selection never reads (a submission's candidate; false: whole documents)",
    )
    gc_young_threshold: int = Field(
        50_000,
        ge=0,
        description="allocations between young-generation collections, with start-up objects "
        "frozen out of every collection (0: Python's own 700 and no freezing)",
    )
