"""A passing submit's cost in SQL statements (round trips), and what the savings must not change:
the training state its events carry and the uniqueness of verification codes."""

import dataclasses
import os
import secrets
import uuid
from typing import Any

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator
from sqlalchemy import select

from academy_testkit.statements import counted
from assessment.adapters.orm import attempts, certificates
from assessment.adapters.unit_of_work import assessment_units
from assessment.domain.codes import new_verification_code
from assessment.service import evidence
from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration

#: staff lock, attempt lock, certificates, certificate insert, attempt close, progress,
#: attempt scores, and the outbox rows (AttemptSubmitted, CertificationIssued) in one insert at
#: commit.
PASSING_SUBMIT_STATEMENTS = 8


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


async def test_a_passing_submit_takes_eight_statements(harness: Harness) -> None:
    track, headers = await _enrolled(harness)
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(minutes=12)
    given = answers(track, attempt["paper"])
    with counted(harness.runtime.engine) as seen:
        response = await harness.submit(headers, attempt["attempt_id"], given)
    assert response.status_code == 200, response.text
    assert response.json()["certificate"] is not None
    assert len(seen) == PASSING_SUBMIT_STATEMENTS, "\n".join(seen)
    assert sum("FROM assessment.certificates" in s for s in seen) == 1


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
        holder_key = (
            await session.execute(
                select(attempts.c.operator_id, attempts.c.staff_id).where(
                    attempts.c.attempt_id == renewal.json()["attempt_id"]
                )
            )
        ).one()
    assert superseded_by == new_id
    async with assessment_units(harness.runtime)() as uow:
        holder = await uow.staff.get(*holder_key)
        assert holder is not None
        stored = await evidence.state_at(
            uow, holder, track_key=track.track_key, version=track.version
        )
    carried = [
        (e.type, e.data.training)
        for e in await harness.events(holder.operator_id)
        if getattr(e.data, "certificate_id", None) == new_id
    ]
    assert stored is not None
    assert (stored.certificate_id, stored.attempts) == (new_id, 2)
    assert carried == [
        ("academy.attempt.submitted.v1", stored),
        ("academy.certification.issued.v1", stored),
    ]


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
