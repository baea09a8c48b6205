"""Garbage-collector settings for a server process: what an uncached page spent on collection.

An uncached jobs page (50 jobs, 500 submissions, their candidates and recruiters) allocates a
few hundred thousand container objects. With CPython's default threshold (a young collection
every 700 allocations, an old one every 100 young ones) that is about 50 collections per page,
and the old ones walk the whole heap: the schema, the models, the matching index. Measured on
this machine, a server answering that page 8 at a time spent 160 ms of CPU per page untuned
and 103 ms tuned (peak RSS 201 → 359 MiB).

So a server collects the young generation every `gc_young_threshold` allocations, and what
start-up built (it lives as long as the process) is frozen out of every collection. Garbage in
cycles still goes, in larger batches: a server under load holds more memory (README,
"The uncached read path", has the CPU and peak-RSS figures of each setting). Shutdown puts
both back, so processes that start several apps (the tests) free what each one held.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

OLDER_THRESHOLD = 2
"""Young collections per middle-generation one, and middle per old (CPython's default: 10).

Fewer than CPython's: with young collections 70 times rarer, the older ones must come sooner,
or garbage in cycles that outlived one young collection (a request in flight holds its
objects) piles up. Measured at c=8 on the jobs page (50,000 young): older 10 → 402 MiB peak
RSS, 5 → 421, 2 → 359, against 201 MiB untuned, at about the same CPU per request."""


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
