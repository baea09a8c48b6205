"""Garbage-collector settings for a server process: what an uncached page spent on collection.

An uncached jobs page (50 jobs, 500 submissions, their candidates and recruiters) allocates a
few hundred thousand container objects. With CPython's default threshold (a young collection
every 700 allocations, an old one every 100 young ones) that is about 50 collections per page,
and the old ones walk the whole heap: the schema, the models, the matching index. Measured on
this machine (`bench.read_path_ab`), that was a third of the page's CPU time.

So a server collects the young generation every `gc_young_threshold` allocations, and what
start-up built (it lives as long as the process) is frozen out of every collection. Garbage in
cycles still goes, just in larger batches (a few MB at most between collections). Shutdown puts
both back, so processes that start several apps (the tests) free what each one held.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

OLDER_THRESHOLD = 20
"""Young collections per middle-generation one, and middle per old (CPython's default: 10)."""


@contextmanager
def tuned_collection(young_threshold: int) -> Iterator[None]:
    """Within the block, collect as the module doc says; 0 leaves CPython's defaults."""
    if young_threshold <= 0:
        yield
        return
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(young_threshold, OLDER_THRESHOLD, OLDER_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
