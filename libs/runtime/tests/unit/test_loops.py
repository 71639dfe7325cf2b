"""The background-loop helper: intervals, capped backoff after failures, prompt stop, wake."""

import asyncio
import logging

import pytest

from academy_runtime.loops import every, sleep_or_stop


class RecordedWaits:
    """Stands in for the loop's wait: records each delay and sets stop after `rounds` waits."""

    def __init__(self, stop: asyncio.Event, *, rounds: int) -> None:
        self.stop = stop
        self.rounds = rounds
        self.delays: list[float] = []
        self.woken_by: list[bool] = []

    async def __call__(
        self, stop: asyncio.Event, seconds: float, wake: asyncio.Event | None
    ) -> bool:
        self.delays.append(seconds)
        self.woken_by.append(wake is not None)
        if len(self.delays) >= self.rounds:
            self.stop.set()
        return stop.is_set()


async def test_backoff_doubles_after_each_failure_in_a_row_and_stops_at_its_cap() -> None:
    stop = asyncio.Event()
    waits = RecordedWaits(stop, rounds=6)

    async def failing() -> None:
        raise RuntimeError("database away")

    await every(stop, 10.0, failing, name="pass", backoff_s=1.0, max_backoff_s=5.0, wait=waits)

    assert waits.delays == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


async def test_a_failing_step_is_logged_and_does_not_end_the_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()
    waits = RecordedWaits(stop, rounds=4)
    outcomes: list[Exception | None] = [RuntimeError("one"), RuntimeError("two"), None, None]
    runs = 0

    async def step() -> None:
        nonlocal runs
        outcome = outcomes[runs]
        runs += 1
        if outcome is not None:
            raise outcome

    with caplog.at_level(logging.ERROR, logger="academy_runtime.loops"):
        await every(stop, 7.0, step, name="export pass", max_backoff_s=60.0, wait=waits)

    assert runs == 4
    # Backoff starts at the interval, doubles, and a success resets it to the interval.
    assert waits.delays == [7.0, 14.0, 7.0, 7.0]
    failures = [r for r in caplog.records if r.getMessage().startswith("export pass failed")]
    assert len(failures) == 2
    assert failures[0].exc_info is not None


async def test_without_a_cap_the_wait_after_a_failure_stays_the_interval() -> None:
    stop = asyncio.Event()
    waits = RecordedWaits(stop, rounds=3)

    async def failing() -> None:
        raise RuntimeError("broker away")

    await every(stop, 30.0, failing, name="pass", wait=waits)

    assert waits.delays == [30.0, 30.0, 30.0]


async def test_a_step_chooses_its_next_wait_and_only_the_interval_listens_for_wake() -> None:
    stop = asyncio.Event()
    waits = RecordedWaits(stop, rounds=2)
    answers: list[float | None] = [0.0, 3.0, None]

    async def step() -> float | None:
        return answers.pop(0)

    await every(stop, 9.0, step, name="pass", wake=asyncio.Event(), wait=waits)

    # 0 runs the next round at once (no wait), 3.0 waits 3 s, None waits the interval.
    assert waits.delays == [3.0, 9.0]
    assert waits.woken_by == [False, True]


async def test_stop_ends_a_long_interval_promptly() -> None:
    stop = asyncio.Event()
    ran = asyncio.Event()

    async def step() -> None:
        ran.set()

    loop = asyncio.create_task(every(stop, 3600.0, step, name="pass"))
    await ran.wait()
    stop.set()
    await asyncio.wait_for(loop, timeout=5.0)


async def test_wake_runs_the_next_round_before_the_interval_ends() -> None:
    stop = asyncio.Event()
    wake = asyncio.Event()
    rounds: asyncio.Queue[int] = asyncio.Queue()
    count = 0

    async def step() -> None:
        nonlocal count
        count += 1
        rounds.put_nowait(count)

    loop = asyncio.create_task(every(stop, 3600.0, step, name="pass", wake=wake))
    try:
        assert await asyncio.wait_for(rounds.get(), timeout=5.0) == 1
        wake.set()
        assert await asyncio.wait_for(rounds.get(), timeout=5.0) == 2
    finally:
        stop.set()
        await asyncio.wait_for(loop, timeout=5.0)


async def test_sleep_or_stop_says_whether_stop_was_set() -> None:
    stop = asyncio.Event()
    assert await sleep_or_stop(stop, 0.0) is False
    stop.set()
    assert await sleep_or_stop(stop, 3600.0) is True
