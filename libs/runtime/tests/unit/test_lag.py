"""Lag arithmetic and the monitor's tick on a fake broker."""

import asyncio
import logging
from collections.abc import Sequence

import pytest
from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry

from academy_runtime.lag import LagMonitor, LagTarget, partition_lag
from academy_runtime.metrics import RuntimeMetrics

A0, A1, B0 = TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)


@pytest.mark.parametrize(
    ("start", "end", "committed", "lag"),
    [
        pytest.param(0, 40, None, 40, id="no-commit-counts-the-whole-log"),
        pytest.param(10, 40, None, 30, id="no-commit-counts-from-the-log-start"),
        pytest.param(10, 40, 4, 30, id="commit-below-log-start-resumes-at-the-start"),
        pytest.param(0, 40, 25, 15, id="end-minus-committed"),
        pytest.param(0, 40, 40, 0, id="caught-up"),
        pytest.param(0, 40, 55, 0, id="commit-beyond-end-is-never-negative"),
        pytest.param(0, 0, None, 0, id="empty-partition"),
    ],
)
def test_partition_lag_is_end_minus_the_offset_the_group_resumes_at(
    start: int, end: int, committed: int | None, lag: int
) -> None:
    assert partition_lag(start=start, end=end, committed=committed) == lag


class FakeOffsets:
    """Two topics; `fail` makes every call raise like an unreachable broker."""

    def __init__(self, committed: dict[str, dict[TopicPartition, int | None]]) -> None:
        self.bounds = {A0: (0, 10), A1: (5, 8), B0: (0, 100)}
        self.committed_by_group = committed
        self.fail = False
        self.closed = False
        self.on_committed: asyncio.Event | None = None

    def _check(self) -> None:
        if self.fail:
            raise ConnectionError("broker down")

    async def partitions(self, topics: Sequence[str]) -> list[TopicPartition]:
        self._check()
        return [tp for tp in self.bounds if tp.topic in topics]

    async def log_bounds(
        self, partitions: Sequence[TopicPartition]
    ) -> dict[TopicPartition, tuple[int, int]]:
        self._check()
        return {tp: self.bounds[tp] for tp in partitions}

    async def committed(
        self, group_id: str, partitions: Sequence[TopicPartition]
    ) -> dict[TopicPartition, int | None]:
        self._check()
        if self.on_committed is not None:
            self.on_committed.set()
        return {tp: self.committed_by_group[group_id].get(tp) for tp in partitions}

    async def close(self) -> None:
        self.closed = True


def _monitor(offsets: FakeOffsets) -> tuple[LagMonitor, CollectorRegistry, list[FakeOffsets]]:
    registry = CollectorRegistry()
    metrics = RuntimeMetrics(registry)
    connected: list[FakeOffsets] = []

    async def connect() -> FakeOffsets:
        connected.append(offsets)
        return offsets

    monitor = LagMonitor(
        [LagTarget("one", "g.one", ("a",)), LagTarget("both", "g.both", ("a", "b"))],
        gauge=metrics.consumer_lag,
        interval_s=30.0,
        connect=connect,
    )
    return monitor, registry, connected


def _lag(registry: CollectorRegistry, handler: str) -> float | None:
    return registry.get_sample_value("academy_consumer_lag", {"handler": handler})


async def test_tick_sets_each_handlers_lag_summed_over_its_partitions() -> None:
    offsets = FakeOffsets({"g.one": {A0: 4, A1: None}, "g.both": {A0: 10, A1: 9, B0: 60}})
    monitor, registry, _ = _monitor(offsets)
    await monitor.tick()
    assert _lag(registry, "one") == (10 - 4) + (8 - 5)
    assert _lag(registry, "both") == 0 + 0 + 40


async def test_broker_errors_keep_the_last_values_warn_once_and_reconnect_on_recovery(
    caplog: pytest.LogCaptureFixture,
) -> None:
    offsets = FakeOffsets({"g.one": {}, "g.both": {}})
    monitor, registry, connected = _monitor(offsets)
    await monitor.tick()
    assert _lag(registry, "both") == 10 + 3 + 100
    offsets.fail = True
    with caplog.at_level(logging.INFO, logger="academy_runtime.lag"):
        await monitor.tick()
        await monitor.tick()
        offsets.fail = False
        offsets.committed_by_group["g.both"] = {A0: 10, A1: 8, B0: 100}
        await monitor.tick()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "broker down" in warnings[0].getMessage()
    assert any(r.getMessage() == "consumer lag measured again" for r in caplog.records)
    assert offsets.closed
    assert len(connected) == 3  # a fresh connection after each failed tick
    assert _lag(registry, "both") == 0


async def test_run_returns_and_closes_its_clients_when_stopped() -> None:
    offsets = FakeOffsets({"g.one": {}, "g.both": {}})
    monitor, registry, _ = _monitor(offsets)
    stop = asyncio.Event()
    offsets.on_committed = stop  # the stop arrives during the first measurement
    await asyncio.wait_for(monitor.run(stop), timeout=5)
    assert offsets.closed
    assert _lag(registry, "one") == 13
