"""A server process collects garbage in larger batches and leaves start-up objects alone."""

from __future__ import annotations

import gc

from crowdhire.observability.collector import OLDER_THRESHOLD, tuned_collection
from crowdhire.settings import Settings
from tests.conftest import AppFactory


async def test_the_app_tunes_collection_while_it_serves_and_restores_it(
    app_factory: AppFactory,
) -> None:
    default = Settings.model_fields["gc_young_threshold"].default
    before = gc.get_threshold()
    async with app_factory(gc_young_threshold=default):
        assert gc.get_threshold() == (default, OLDER_THRESHOLD, OLDER_THRESHOLD)
        assert gc.get_freeze_count() > 0  # start-up's objects are out of every collection
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_zero_keeps_the_interpreters_defaults() -> None:
    before = gc.get_threshold()
    with tuned_collection(0):
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0


def test_cyclic_garbage_is_still_collected() -> None:
    class Node:
        partner: object = None

    with tuned_collection(1000):
        collected_before = sum(stat["collected"] for stat in gc.get_stats())
        for _ in range(5000):
            first, second = Node(), Node()
            first.partner, second.partner = second, first
        collected = sum(stat["collected"] for stat in gc.get_stats()) - collected_before
    assert collected >= 5000
