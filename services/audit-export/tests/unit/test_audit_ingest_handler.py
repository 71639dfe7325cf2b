"""The ingest handler on fakes of its ports: one append per event, never before a seal."""

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from audit_export_builders import OPERATOR, T0, lesson_envelope
from audit_export_fakes import FakeUnit

from academy_runtime.routes import PoisonMessage
from audit_export.service.ingest import append, append_batch
from auditpack.merkle import compact_range


async def test_an_event_gets_the_next_index_and_a_redelivered_one_is_not_logged_twice() -> None:
    uow = FakeUnit()
    first, second = lesson_envelope(), lesson_envelope(at=T0 + timedelta(minutes=1))

    indexes = [
        await append(first, uow, clock=lambda: T0),
        await append(second, uow, clock=lambda: T0 + timedelta(minutes=1)),
        await append(first, uow, clock=lambda: T0 + timedelta(minutes=2)),
    ]

    assert indexes == [0, 1, None]
    assert [r.event_id for r in uow.log.records[OPERATOR]] == [first.id, second.id]
    head = uow.log.heads[OPERATOR]
    assert head.state.size == 2
    assert head.last_recorded_at == T0 + timedelta(minutes=1)


async def test_a_record_is_never_dated_before_the_seal_or_the_previous_record() -> None:
    uow = FakeUnit()
    sealed_until = T0 + timedelta(days=1)
    await uow.log.seal(OPERATOR, sealed_until)

    await append(lesson_envelope(), uow, clock=lambda: T0)  # a clock behind the seal

    [record] = uow.log.records[OPERATOR]
    assert record.recorded_at == sealed_until


async def test_an_event_whose_tenant_is_not_an_operator_id_is_dead_lettered_unlogged() -> None:
    uow = FakeUnit()
    rejected: list[str] = []

    class Observer:
        def appended(self, *, delay_s: float) -> None:
            raise AssertionError("nothing may be appended")

        def rejected(self, reason: str) -> None:
            rejected.append(reason)

    with pytest.raises(PoisonMessage, match="not an operator id"):
        await append(lesson_envelope("Not An Operator"), uow, clock=lambda: T0, observer=Observer())

    assert rejected == ["tenant"]
    assert uow.log.records == {}


def _ticking() -> Callable[[], datetime]:
    """A clock one second later at every reading (both paths read it once per new event)."""
    moments = (T0 + timedelta(seconds=n) for n in itertools.count())
    return lambda: next(moments)


async def test_a_batch_appends_byte_for_byte_what_one_event_at_a_time_appends() -> None:
    operators = [OPERATOR, "op-unit-2", "op-unit-3"]
    events = [lesson_envelope(operators[n % 3], at=T0 + timedelta(minutes=n)) for n in range(40)]
    events.insert(17, events[4])  # a redelivered copy inside the batch
    singly, batched = FakeUnit(), FakeUnit()
    for uow in (singly, batched):
        await uow.log.seal("op-unit-2", T0 + timedelta(hours=1))  # a sealed day floors its times

    clock = _ticking()
    one_by_one = [await append(event, singly, clock=clock) for event in events]
    in_batches = []
    clock = _ticking()
    for start in range(0, len(events), 16):
        in_batches += await append_batch(events[start : start + 16], batched, clock=clock)

    assert in_batches == one_by_one
    assert one_by_one[17] is None
    assert batched.log.records == singly.log.records  # index, id, type, time, line, leaf
    assert batched.log.heads == singly.log.heads  # sizes, frontiers (roots), last times
    for operator in operators:
        leaves = [r.leaf for r in batched.log.records[operator]]
        assert batched.log.heads[operator].state.frontier == compact_range(leaves)


async def test_a_poison_event_in_a_batch_is_named_and_nothing_of_the_batch_is_logged() -> None:
    uow = FakeUnit()
    good, bad = lesson_envelope(), lesson_envelope("Not An Operator")

    with pytest.raises(PoisonMessage) as refused:
        await append_batch([good, bad], uow, clock=lambda: T0)

    assert refused.value.event_id == bad.id  # the consumer dead-letters it, appends the rest
    assert uow.log.records == {}
