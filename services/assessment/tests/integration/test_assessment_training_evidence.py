"""Every training, attempt and certificate event carries the holder's TrainingState on the
track, so an audit pack's training register needs nothing outside the pack."""

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator

from contracts.assessment import TrainingState

pytestmark = pytest.mark.integration

TRAINING_TYPES = {
    "academy.lesson.opened.v1",
    "academy.lesson.completed.v1",
    "academy.module.completed.v1",
    "academy.attempt.started.v1",
    "academy.attempt.submitted.v1",
    "academy.certification.issued.v1",
    "academy.certification.expiring.v1",
    "academy.certification.expired.v1",
    "academy.certification.revoked.v1",
    "academy.attempts.reset.v1",
    "academy.training.waived.v1",
}


async def test_every_training_attempt_and_certificate_event_carries_the_training_state(
    harness: Harness,
) -> None:
    track = realistic_track(
        jurisdiction=unique_jurisdiction(), regulator="Testland Gambling Commission"
    )
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    support = harness.auth("academy-vendor", sub="sam", roles=["academy_support"])
    ada = harness.auth(operator, sub="ada", name="Ada Lovelace")
    bob = harness.auth(operator, sub="bob", name="Bob Slow")
    key = track.track_key
    staff_url = f"/v1/support/operators/{operator}/staff"

    opened = await harness.client.get(f"/v1/me/tracks/{key}/lessons/core-aml-l1", headers=ada)
    assert opened.status_code == 200, opened.text
    await harness.complete_training(ada, key)
    paper = (await harness.start(ada, key)).json()
    passed = await harness.submit(ada, paper["attempt_id"], answers(track, paper["paper"]))
    certificate_id = passed.json()["certificate"]["certificate_id"]
    waiver = await harness.client.post(
        f"{staff_url}/ada/tracks/{key}/training-waiver", json={"reason": "t-1"}, headers=support
    )
    assert waiver.status_code == 200, waiver.text
    await harness.complete_training(bob, key)
    slow = (await harness.start(bob, key)).json()
    harness.clock.advance(days=730)
    await harness.scheduler_pass()
    revoked = await harness.client.post(
        f"/v1/support/operators/{operator}/certificates/{certificate_id}/revocation",
        json={"reason": "exam taken by proxy"},
        headers=support,
    )
    assert revoked.status_code == 200, revoked.text
    reset = await harness.client.post(
        f"{staff_url}/ada/tracks/{key}/attempt-reset", json={"reason": "t-2"}, headers=support
    )
    assert reset.status_code == 200, reset.text

    emitted = [e for e in await harness.events(operator) if e.type in TRAINING_TYPES]
    assert {e.type for e in emitted} == TRAINING_TYPES
    for event in emitted:
        state = event.data.training
        assert state is not None, event.type
        assert (state.track_key, state.track_version, state.track_title) == (
            key,
            track.version,
            track.title,
        ), event.type
        assert state.regulator == "Testland Gambling Commission"
        assert state.staff_name == {"ada": "Ada Lovelace", "bob": "Bob Slow"}[event.subject]

    def state_of(kind: str, subject: str = "ada") -> TrainingState:
        state: TrainingState = next(
            e.data.training for e in emitted if (e.type, e.subject) == (kind, subject)
        )
        return state

    issued = state_of("academy.certification.issued.v1")
    assert (issued.attempts, issued.best_score, issued.result) == (1, 100, "pass")
    assert issued.certificate_id == certificate_id
    assert state_of("academy.attempt.started.v1").attempts == 0
    expired = state_of("academy.certification.expired.v1")
    assert expired.certificate_id == certificate_id
    assert state_of("academy.certification.revoked.v1").certificate_id is None
    timed_out = state_of("academy.attempt.submitted.v1", "bob")
    assert (timed_out.attempts, timed_out.best_score, timed_out.result) == (1, 0, "fail")
    assert slow["attempt_id"] in {
        e.data.attempt_id for e in emitted if e.type == "academy.attempt.submitted.v1"
    }
