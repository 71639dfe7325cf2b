"""The service process's collector settings."""

import gc
from collections.abc import Iterator

import pytest

from academy_runtime import heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_settle_freezes_what_start_up_made_and_collects_the_young_less_often() -> None:
    _, middle, oldest = gc.get_threshold()
    made_at_start_up = [[n] for n in range(1000)]

    heap.settle(50_000)

    assert gc.get_threshold() == (50_000, middle, oldest)
    assert gc.get_freeze_count() >= len(made_at_start_up)
    assert gc.is_tracked(made_at_start_up[0])


@pytest.mark.usefixtures("restored_collector")
def test_settle_with_zero_leaves_the_defaults_alone() -> None:
    before = gc.get_threshold()

    heap.settle(0)

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
