"""A passing submit's cost in SQL statements (round trips), and what the savings must not change:
the training state its events carry, the records read in one statement and the uniqueness of
verification codes."""

import dataclasses
import os
import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator
from sqlalchemy import select, text

from academy_testkit.statements import counted
from assessment.adapters.orm import attempts, certificates
from assessment.adapters.unit_of_work import assessment_units
from assessment.domain.codes import new_verification_code
from assessment.service import evidence
from contracts.assessment import TrainingState
from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration

#: staff and attempt locked together, the holder's records on the track (completions, attempt
#: scores, certificates), certificate insert, attempt close, and the outbox rows
#: (AttemptSubmitted, CertificationIssued) in one insert at commit; BEGIN and COMMIT aside.
PASSING_SUBMIT_STATEMENTS = 5
SUBMITTED = "academy.attempt.submitted.v1"
ISSUED = "academy.certification.issued.v1"


class ChosenEntropy:
    """SystemIds-like ids whose verification-code entropy is taken from a queue first."""

    def __init__(self, *queued: bytes) -> None:
        self.queued = list(queued)
        self.drawn: list[bytes] = []

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def new_seed(self) -> int:
        return secrets.randbits(53)

    def entropy(self, size: int) -> bytes:
        raw = self.queued.pop(0) if self.queued else os.urandom(size)
        self.drawn.append(raw)
        return raw


async def _enrolled(harness: Harness, sub: str = "ada") -> tuple[TrackPublished, dict[str, str]]:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    headers = harness.auth(operator, sub=sub, name="Ada Lovelace")
    await harness.complete_training(headers, track.track_key)
    return track, headers


async def _pass(harness: Harness, track: TrackPublished, headers: dict[str, str]) -> Any:
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(minutes=12)
    return await harness.submit(headers, attempt["attempt_id"], answers(track, attempt["paper"]))


async def test_a_passing_submit_takes_five_statements(harness: Harness) -> None:
    track, headers = await _enrolled(harness)
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(minutes=12)
    given = answers(track, attempt["paper"])
    with counted(harness.runtime.engine) as seen:
        response = await harness.submit(headers, attempt["attempt_id"], given)
    assert response.status_code == 200, response.text
    assert response.json()["certificate"] is not None
    assert len(seen) == PASSING_SUBMIT_STATEMENTS, "\n".join(seen)
    lock, records = seen[:2]
    assert lock.endswith("FOR UPDATE OF staff, attempts")
    assert "FROM assessment.staff JOIN assessment.attempts" in lock
    assert all(f"FROM assessment.{table}" in records for table in TABLES_OF_RECORDS)
    assert sum("FROM assessment.certificates" in s for s in seen) == 1


TABLES_OF_RECORDS = ("lesson_completions", "attempts", "certificates")


async def _carried_and_stored(
    harness: Harness, track: TrackPublished, attempt_id: str
) -> tuple[list[tuple[str, TrainingState | None]], TrainingState | None]:
    """The training state each event of the submit carries, and the state read after it."""
    async with harness.runtime.sessions() as session:
        operator_id, staff_id = (
            await session.execute(
                select(attempts.c.operator_id, attempts.c.staff_id).where(
                    attempts.c.attempt_id == attempt_id
                )
            )
        ).one()
    async with assessment_units(harness.runtime)() as uow:
        holder = await uow.staff.get(operator_id, staff_id)
        assert holder is not None
        stored = await evidence.state_at(
            uow, holder, track_key=track.track_key, version=track.version
        )
    carried = [
        (e.type, e.data.training)
        for e in await harness.events(operator_id, SUBMITTED, ISSUED)
        if e.data.attempt_id == attempt_id
    ]
    return carried, stored


async def test_a_first_pass_carries_the_training_state_as_stored_after_the_submit(
    harness: Harness,
) -> None:
    track, headers = await _enrolled(harness)
    passed = await _pass(harness, track, headers)
    assert passed.status_code == 200, passed.text

    carried, stored = await _carried_and_stored(harness, track, passed.json()["attempt_id"])

    assert stored is not None
    assert (stored.certificate_id, stored.attempts, stored.result, stored.best_score) == (
        passed.json()["certificate"]["certificate_id"],
        1,
        "pass",
        passed.json()["score"],
    )
    assert len(stored.modules_completed) == len(track.modules)
    assert carried == [(SUBMITTED, stored), (ISSUED, stored)]


async def test_a_fail_carries_the_training_state_as_stored_after_the_submit(
    harness: Harness,
) -> None:
    track, headers = await _enrolled(harness)
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(minutes=12)
    failed = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"], correct=1)
    )
    assert failed.status_code == 200, failed.text

    carried, stored = await _carried_and_stored(harness, track, attempt["attempt_id"])

    assert stored is not None
    assert (stored.certificate_id, stored.attempts, stored.result) == (None, 1, "fail")
    assert carried == [(SUBMITTED, stored)]


async def test_a_renewal_carries_the_training_state_as_stored_after_the_submit(
    harness: Harness,
) -> None:
    track, headers = await _enrolled(harness)
    first = (await _pass(harness, track, headers)).json()
    harness.clock.advance(days=500)  # recertification window open, the first still valid
    renewal = await _pass(harness, track, headers)
    assert renewal.status_code == 200, renewal.text
    new_id = renewal.json()["certificate"]["certificate_id"]
    async with harness.runtime.sessions() as session:
        superseded_by = await session.scalar(
            select(certificates.c.superseded_by).where(
                certificates.c.certificate_id == first["certificate"]["certificate_id"]
            )
        )
    assert superseded_by == new_id

    carried, stored = await _carried_and_stored(harness, track, renewal.json()["attempt_id"])

    assert stored is not None
    assert (stored.certificate_id, stored.attempts) == (new_id, 2)
    assert carried == [(SUBMITTED, stored), (ISSUED, stored)]


async def test_the_records_read_in_one_statement_equal_each_table_read_alone(
    harness: Harness,
) -> None:
    track, headers = await _enrolled(harness)
    first = (await _pass(harness, track, headers)).json()
    harness.clock.advance(days=500)
    await _pass(harness, track, headers)
    async with harness.runtime.sessions() as session:
        operator_id, staff_id = (
            await session.execute(
                select(attempts.c.operator_id, attempts.c.staff_id).where(
                    attempts.c.attempt_id == first["attempt_id"]
                )
            )
        ).one()
    async with assessment_units(harness.runtime)() as uow:
        # JSON renders timestamps in the session's time zone; the records come back in UTC
        await uow.session.execute(text("SET LOCAL TIME ZONE 'Asia/Kathmandu'"))
        holder = await uow.staff.get(operator_id, staff_id)
        assert holder is not None
        found = await uow.records.load(holder, track.track_key)
        progress = await uow.progress.load(operator_id, staff_id, track.track_key)
        held = await uow.certificates.of_holder(operator_id, staff_id, track_key=track.track_key)
        history = await uow.attempts.history(operator_id, staff_id, track.track_key)

    assert found.progress == progress
    assert len(progress.completions) > 0
    assert list(found.certificates) == list(held)
    assert len(held) == 2
    assert all(
        c.passed_at.tzinfo is not None and c.passed_at.utcoffset() == timedelta(0)
        for c in found.certificates
    )
    assert sorted((a.attempt_id, a.score, a.result) for a in found.attempts) == sorted(
        (a.attempt_id, a.score, a.result) for a in history.attempts
    )


async def test_a_taken_verification_code_is_redrawn(harness: Harness) -> None:
    entropy = ChosenEntropy()
    harness.app.state.assessment = dataclasses.replace(harness.wiring, ids=entropy)
    track, ada = await _enrolled(harness, sub="ada")
    taken = (await _pass(harness, track, ada)).json()["certificate"]["verification_code"]
    [taken_raw] = entropy.drawn
    fresh_raw = os.urandom(8)
    entropy.queued, entropy.drawn = [taken_raw, fresh_raw], []
    track, grace = await _enrolled(harness, sub="grace")
    response = await _pass(harness, track, grace)
    assert response.status_code == 200, response.text
    code = response.json()["certificate"]["verification_code"]
    assert entropy.drawn == [taken_raw, fresh_raw]
    assert code == new_verification_code(lambda _: fresh_raw) != taken


async def test_five_taken_verification_codes_refuse_the_submit_storing_nothing(
    harness: Harness,
) -> None:
    entropy = ChosenEntropy()
    harness.app.state.assessment = dataclasses.replace(harness.wiring, ids=entropy)
    track, ada = await _enrolled(harness, sub="ada")
    await _pass(harness, track, ada)
    [taken_raw] = entropy.drawn
    entropy.queued, entropy.drawn = [taken_raw] * 6, []
    track, grace = await _enrolled(harness, sub="grace")
    attempt = (await harness.start(grace, track.track_key)).json()
    response = await harness.submit(grace, attempt["attempt_id"], answers(track, attempt["paper"]))
    assert response.status_code == 500
    assert entropy.drawn == [taken_raw] * 5
    async with harness.runtime.sessions() as session:
        status = await session.scalar(
            select(attempts.c.status).where(attempts.c.attempt_id == attempt["attempt_id"])
        )
    assert status == "open"
