"""Ingest into the append-only per-operator log: idempotent, ordered in time, Merkle head kept."""

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from audit_export_harness import (
    T0,
    Harness,
    at,
    envelope,
    lesson,
    lesson_opened,
    new_operator,
    training_state,
    training_waived,
)
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from academy_runtime.consumer import PoisonMessage
from academy_runtime.db import transaction
from audit_export.adapters import log_store
from audit_export.adapters.orm import audit_log
from audit_export.adapters.unit_of_work import audit_units
from audit_export.service import ingest
from auditpack.merkle import compact_range, fold, leaf_hash
from auditpack.records import AuditRecord
from contracts import decode, encode, topics
from contracts.assessment import LessonOpened

pytestmark = pytest.mark.integration


async def _lines(harness: Harness, operator: str) -> list[tuple[int, bytes, object]]:
    async with harness.runtime.sessions() as session:
        rows = await session.execute(
            select(audit_log.c.idx, audit_log.c.line, audit_log.c.recorded_at)
            .where(audit_log.c.operator_id == operator)
            .order_by(audit_log.c.idx)
        )
        return [(r.idx, bytes(r.line), r.recorded_at) for r in rows]


async def test_each_event_is_logged_once_however_often_it_is_delivered(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operator = new_operator()
    event = envelope(operator, lesson(T0))
    await harness.ingest(event, event)
    await harness.ingest(event)
    assert await harness.log_size(operator) == 1


async def test_recorded_at_never_goes_back_even_when_the_clock_does(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operator = new_operator()
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0 + timedelta(minutes=5))
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0)  # a replica's clock behind
    times = [recorded for _, _, recorded in await _lines(harness, operator)]
    assert times == [T0 + timedelta(minutes=5), T0 + timedelta(minutes=5)]


async def test_log_lines_are_canonical_records_and_the_head_folds_to_their_root(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operator = new_operator()
    for minute in range(7):
        await harness.ingest(envelope(operator, lesson(T0)), at_time=T0 + timedelta(minutes=minute))
    lines = await _lines(harness, operator)
    assert [index for index, _, _ in lines] == list(range(7))
    for index, line, _ in lines:
        assert AuditRecord.from_line(line).index == index  # canonical JCS, refuses otherwise
    async with harness.runtime.sessions() as session:
        head = await log_store.lock_head(session, operator)
    leaves = [leaf_hash(line) for _, line, _ in lines]
    assert head.state.size == 7
    assert head.state.frontier == compact_range(leaves)
    assert fold(head.state.frontier) == head.state.root


async def test_locking_several_heads_at_once_gives_each_operator_its_own_head(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    busy, fresh = new_operator(), new_operator()
    for minute in range(3):
        await harness.ingest(envelope(busy, lesson(T0)), at_time=T0 + timedelta(minutes=minute))
    async with harness.runtime.sessions() as session, session.begin():
        one_by_one = await log_store.lock_head(session, busy)
        heads = await log_store.lock_heads(session, [fresh, busy, fresh])
    assert set(heads) == {busy, fresh}
    assert heads[busy] == one_by_one
    assert heads[busy].last_recorded_at == T0 + timedelta(minutes=2)
    assert heads[fresh].state.size == 0
    assert heads[fresh].state.frontier == ()
    assert heads[fresh].last_recorded_at is None


async def test_the_database_refuses_to_change_or_remove_logged_events(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operator = new_operator()
    await harness.ingest(envelope(operator, lesson(T0)))
    async with harness.runtime.engine.connect() as conn:
        for statement in (
            "UPDATE audit_export.audit_log SET ce_type = 'forged' WHERE operator_id = :op",
            "DELETE FROM audit_export.audit_log WHERE operator_id = :op",
            "TRUNCATE audit_export.audit_log",
        ):
            attempt = await conn.begin()
            try:
                with pytest.raises(DBAPIError, match="append-only"):
                    await conn.execute(text(statement), {"op": operator})
            finally:
                await attempt.rollback()  # even if the database wrongly accepted it
    assert await harness.log_size(operator) == 1


async def test_an_event_whose_tenant_is_not_an_operator_id_is_dead_lettered(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    bad = envelope("../../etc", lesson(T0))
    with pytest.raises(PoisonMessage, match="not an operator id"):
        await harness.ingest(bad)
    assert await harness.log_size("../../etc") == 0


async def test_an_event_no_pack_could_carry_is_dead_lettered_not_logged(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operator = new_operator()
    with pytest.raises(PoisonMessage, match="source is missing"):
        await harness.ingest(envelope(operator, lesson(T0), source=""))
    assert await harness.log_size(operator) == 0


async def test_platform_events_are_logged_under_the_platform_tenant(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    event = envelope(topics.PLATFORM_TENANT, lesson(T0))
    before = await harness.log_size(topics.PLATFORM_TENANT)
    await harness.ingest(event)
    assert await harness.log_size(topics.PLATFORM_TENANT) == before + 1


async def test_an_event_arriving_after_its_day_was_sealed_is_recorded_after_the_seal(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operator = new_operator()
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0)
    sealed_until = at(T0.date() + timedelta(days=1), 0)
    async with transaction(harness.runtime.sessions) as session:
        await log_store.seal(session, operator, sealed_until)
    late = replace(envelope(operator, lesson(T0)), time=T0)
    await harness.ingest(late, at_time=T0 + timedelta(hours=1))  # a clock behind the seal
    assert (await _lines(harness, operator))[-1][2] == sealed_until


async def test_lesson_opened_and_training_waived_events_are_logged_with_their_training_state(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operator = new_operator()
    sent = [
        envelope(operator, lesson_opened(T0)),
        envelope(operator, training_waived(T0 + timedelta(minutes=1))),
        envelope(operator, lesson(T0 + timedelta(minutes=2))),  # carries no training state
    ]
    for item in sent:
        kafka = encode(item)
        await harness.ingest(decode(kafka.headers, kafka.value))  # as the consumer reads it
    async with harness.runtime.sessions() as session:
        rows = (
            await session.execute(
                select(audit_log.c.ce_type, audit_log.c.line)
                .where(audit_log.c.operator_id == operator)
                .order_by(audit_log.c.idx)
            )
        ).all()
    assert [r.ce_type for r in rows] == [
        "academy.lesson.opened.v1",
        "academy.training.waived.v1",
        "academy.lesson.completed.v1",
    ]
    opened, waived, plain = (AuditRecord.from_line(bytes(r.line)).event["data"] for r in rows)
    assert opened["content_digest"] == sent[0].data.content_digest
    assert opened["training"]["track_key"] == "MGA.compliance_officer"
    assert waived["modules_waived"] == ["local-rules"]
    assert waived["training"]["modules_completed"][0]["module_id"] == "core-aml"
    assert plain["training"] is None


async def test_an_event_whose_training_state_breaks_its_contract_is_dead_lettered(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operator = new_operator()
    valid = lesson_opened(T0)
    broken = LessonOpened.model_construct(
        **{**dict(valid), "training": training_state().model_copy(update={"attempts": -1})}
    )
    with pytest.raises(PoisonMessage, match="does not match its contract"):
        await harness.ingest(envelope(operator, broken))
    assert await harness.log_size(operator) == 0


async def test_a_batch_is_written_in_one_insert_and_keeps_every_operators_head(
    make_harness: Callable[..., Harness],
) -> None:
    harness = make_harness()
    operators = [new_operator() for _ in range(3)]
    events = [envelope(operators[n % 3], lesson(T0)) for n in range(30)]
    events.insert(9, events[2])  # redelivered inside the batch
    units = audit_units(harness.runtime)

    async with units() as uow:
        indexes = await ingest.append_batch(events, uow, clock=lambda: T0)
    async with units() as uow:
        again = await ingest.append_batch(events, uow, clock=lambda: T0)

    assert indexes[9] is None
    assert [i for i in indexes if i is not None] == [n // 3 for n in range(30)]
    assert again == [None] * len(events)
    for operator in operators:
        lines = await _lines(harness, operator)
        assert [index for index, _, _ in lines] == list(range(10))
        async with harness.runtime.sessions() as session:
            head = await log_store.lock_head(session, operator)
        assert head.state.frontier == compact_range([leaf_hash(line) for _, line, _ in lines])
        assert head.last_recorded_at == T0
