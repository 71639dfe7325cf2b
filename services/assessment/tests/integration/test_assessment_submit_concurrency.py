"""Concurrency: parallel submits grade an attempt once; parallel starts open one attempt."""

import asyncio
from collections import Counter

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator
from sqlalchemy import func, select

from assessment.adapters.orm import certificates

pytestmark = pytest.mark.integration

PARALLEL = 50


async def _open_attempt(harness: Harness) -> tuple[str, dict[str, str], dict[str, list[str]], str]:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    headers = harness.auth(operator, sub="ada")
    await harness.complete_training(headers, track.track_key)
    attempt = (await harness.start(headers, track.track_key)).json()
    return attempt["attempt_id"], headers, answers(track, attempt["paper"]), operator


async def test_fifty_parallel_submits_with_one_key_grade_the_attempt_once(
    harness: Harness,
) -> None:
    attempt_id, headers, given, operator = await _open_attempt(harness)
    responses = await asyncio.gather(
        *(
            harness.submit(headers, attempt_id, given, key="double-click-0001")
            for _ in range(PARALLEL)
        )
    )
    assert Counter(r.status_code for r in responses) == {200: PARALLEL}
    assert len({r.text for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == PARALLEL - 1
    assert len(await harness.events(operator, "academy.attempt.submitted.v1")) == 1
    assert len(await harness.events(operator, "academy.certification.issued.v1")) == 1
    async with harness.runtime.sessions() as session:
        issued = await session.scalar(
            select(func.count()).where(certificates.c.attempt_id == attempt_id)
        )
    assert issued == 1


async def test_fifty_parallel_submits_with_different_keys_accept_exactly_one(
    harness: Harness,
) -> None:
    attempt_id, headers, given, operator = await _open_attempt(harness)
    responses = await asyncio.gather(
        *(harness.submit(headers, attempt_id, given, key=f"key-{n:04d}-x") for n in range(PARALLEL))
    )
    assert Counter(r.status_code for r in responses) == {200: 1, 409: PARALLEL - 1}
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {"attempt_not_open"}
    assert len(await harness.events(operator, "academy.attempt.submitted.v1")) == 1


async def test_parallel_starts_open_a_single_attempt(harness: Harness) -> None:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    headers = harness.auth(operator, sub="ada")
    await harness.complete_training(headers, track.track_key)
    responses = await asyncio.gather(*(harness.start(headers, track.track_key) for _ in range(20)))
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 19}
    assert len(await harness.events(operator, "academy.attempt.started.v1")) == 1
