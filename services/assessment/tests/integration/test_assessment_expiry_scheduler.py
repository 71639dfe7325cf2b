"""The scheduler: expiry notices and timeouts exactly once, after downtime and across replicas."""

import asyncio
from collections import Counter

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator

from assessment.adapters.unit_of_work import assessment_units
from assessment.service import scheduler
from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration

EXPIRING = "academy.certification.expiring.v1"
EXPIRED = "academy.certification.expired.v1"


async def _certified(
    harness: Harness, track: TrackPublished, operator: str, sub: str
) -> dict[str, str]:
    headers = harness.auth(operator, sub=sub)
    await harness.complete_training(headers, track.track_key)
    attempt = (await harness.start(headers, track.track_key)).json()
    response = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"])
    )
    certificate: dict[str, str] = response.json()["certificate"]
    return certificate


async def _setup(harness: Harness) -> tuple[TrackPublished, str]:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    return track, operator


async def _replica_pass(harness: Harness, *, batch_size: int) -> int:
    return await scheduler.run_once(
        assessment_units(harness.runtime),
        now=harness.clock(),
        rules=harness.wiring.rules,
        batch_size=batch_size,
    )


async def test_after_downtime_a_lapsed_certificate_gets_expiring_then_expired_once(
    harness: Harness,
) -> None:
    track, operator = await _setup(harness)
    certificate = await _certified(harness, track, operator, "ada")
    harness.clock.advance(days=730)
    assert await harness.scheduler_pass() >= 2
    assert await harness.scheduler_pass() == 0
    notices = await harness.events(operator, EXPIRING, EXPIRED)
    assert [(e.type, e.data.certificate_id) for e in notices] == [
        (EXPIRING, certificate["certificate_id"]),
        (EXPIRED, certificate["certificate_id"]),
    ]
    assert (
        notices[0]
        .data.window_opened_at.isoformat()
        .startswith(certificate["recert_window_opens_at"][:19])
    )
    assert notices[1].data.expired_at.isoformat().startswith(certificate["expires_at"][:19])


async def test_expiring_is_sent_when_the_window_opens_and_expired_only_at_expiry(
    harness: Harness,
) -> None:
    track, operator = await _setup(harness)
    await _certified(harness, track, operator, "ada")
    harness.clock.advance(days=500)
    await harness.scheduler_pass()
    assert [e.type for e in await harness.events(operator, EXPIRING, EXPIRED)] == [EXPIRING]
    harness.clock.advance(days=60)
    await harness.scheduler_pass()
    assert [e.type for e in await harness.events(operator, EXPIRING, EXPIRED)] == [
        EXPIRING,
        EXPIRED,
    ]


async def test_concurrent_replicas_emit_each_notice_exactly_once(harness: Harness) -> None:
    track, operator = await _setup(harness)
    certificates = [await _certified(harness, track, operator, f"staff-{n}") for n in range(7)]
    harness.clock.advance(days=730)
    await asyncio.gather(*(_replica_pass(harness, batch_size=2) for _ in range(4)))
    await _replica_pass(harness, batch_size=2)
    notices = await harness.events(operator, EXPIRING, EXPIRED)
    counts = Counter((e.type, e.data.certificate_id) for e in notices)
    expected = {(kind, c["certificate_id"]) for c in certificates for kind in (EXPIRING, EXPIRED)}
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    assert len({e.id for e in notices}) == len(notices)


async def test_revoked_and_renewed_certificates_get_no_further_notices(harness: Harness) -> None:
    track, operator = await _setup(harness)
    revoked = await _certified(harness, track, operator, "revoked")
    renewed_headers = harness.auth(operator, sub="renewed")
    await harness.complete_training(renewed_headers, track.track_key)
    attempt = (await harness.start(renewed_headers, track.track_key)).json()
    await harness.submit(renewed_headers, attempt["attempt_id"], answers(track, attempt["paper"]))
    support = harness.auth("academy-vendor", roles=["academy_support"])
    response = await harness.client.post(
        f"/v1/support/operators/{operator}/certificates/{revoked['certificate_id']}/revocation",
        json={"reason": "exam taken by someone else"},
        headers=support,
    )
    assert response.status_code == 200, response.text
    harness.clock.advance(days=530)
    await harness.scheduler_pass()
    attempt = (await harness.start(renewed_headers, track.track_key)).json()
    await harness.submit(renewed_headers, attempt["attempt_id"], answers(track, attempt["paper"]))
    harness.clock.advance(days=100)
    await harness.scheduler_pass()
    notices = await harness.events(operator, EXPIRING, EXPIRED)
    assert revoked["certificate_id"] not in {e.data.certificate_id for e in notices}
    assert [e.type for e in notices] == [EXPIRING]


async def test_overdue_attempts_are_closed_as_failed_once_across_replicas(
    harness: Harness,
) -> None:
    track, operator = await _setup(harness)
    headers = harness.auth(operator, sub="slow")
    await harness.complete_training(headers, track.track_key)
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(hours=2)
    await asyncio.gather(*(_replica_pass(harness, batch_size=5) for _ in range(3)))
    [closed] = await harness.events(operator, "academy.attempt.submitted.v1")
    assert (closed.data.attempt_id, closed.data.result, closed.data.score) == (
        attempt["attempt_id"],
        "fail",
        0,
    )
    detail = await harness.client.get(f"/v1/me/attempts/{attempt['attempt_id']}", headers=headers)
    assert detail.json()["status"] == "timed_out"
    assert detail.json()["outcome"]["status"] == "timed_out"
