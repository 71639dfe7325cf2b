"""The ingest handler on fakes of its ports: one append per event, never before a seal."""

from datetime import timedelta

import pytest
from audit_export_builders import OPERATOR, T0, lesson_envelope
from audit_export_fakes import FakeUnit

from academy_runtime.consumer import PoisonMessage
from audit_export.service.ingest import append


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
