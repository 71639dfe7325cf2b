"""Support actions: revoke a certificate and reset attempts, each with actor and reason."""

import uuid

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator

pytestmark = pytest.mark.integration


def _support(harness: Harness) -> dict[str, str]:
    return harness.auth("academy-vendor", sub="sam", roles=["academy_support"])


async def test_revoking_a_certificate_records_actor_and_reason_and_ends_validity(
    harness: Harness,
) -> None:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    holder = harness.auth(operator, sub="ada")
    await harness.complete_training(holder, track.track_key)
    attempt = (await harness.start(holder, track.track_key)).json()
    passed = await harness.submit(holder, attempt["attempt_id"], answers(track, attempt["paper"]))
    certificate = passed.json()["certificate"]
    url = (
        f"/v1/support/operators/{operator}/certificates/{certificate['certificate_id']}/revocation"
    )
    harness.clock.advance(hours=1)
    response = await harness.client.post(
        url, json={"reason": "  exam sat by a proxy  "}, headers=_support(harness)
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "revoked"
    assert response.json()["revocation_reason"] == "exam sat by a proxy"
    assert response.json()["revoked_by"].startswith("sam")
    [revoked] = await harness.events(operator, "academy.certification.revoked.v1")
    assert (revoked.data.actor, revoked.data.reason) == (
        response.json()["revoked_by"],
        "exam sat by a proxy",
    )
    verify = await harness.client.get(f"/v1/certificates/verify/{certificate['verification_code']}")
    assert (verify.json()["valid"], verify.json()["status"]) == (False, "revoked")
    twice = await harness.client.post(url, json={"reason": "again"}, headers=_support(harness))
    assert twice.status_code == 409
    assert twice.json()["error"] == "certificate_already_revoked"


async def test_a_support_action_without_a_reason_is_refused(harness: Harness) -> None:
    operator = unique_operator()
    response = await harness.client.post(
        f"/v1/support/operators/{operator}/certificates/some-cert/revocation",
        json={"reason": "  "},
        headers=_support(harness),
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "reason"


async def test_resetting_attempts_lifts_the_limit_and_the_cooldown(harness: Harness) -> None:
    track = realistic_track(jurisdiction=unique_jurisdiction(), attempt_limit=1, cooldown_hours=48)
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    holder = harness.auth(operator, sub="ada")
    await harness.complete_training(holder, track.track_key)
    attempt = (await harness.start(holder, track.track_key)).json()
    await harness.submit(holder, attempt["attempt_id"], answers(track, attempt["paper"], correct=3))
    assert (await harness.start(holder, track.track_key)).status_code == 409
    harness.clock.advance(minutes=5)
    response = await harness.client.post(
        f"/v1/support/operators/{operator}/staff/ada/tracks/{track.track_key}/attempt-reset",
        json={"reason": "exam platform outage during the attempt"},
        headers=_support(harness),
    )
    assert response.status_code == 200, response.text
    [reset] = await harness.events(operator, "academy.attempts.reset.v1")
    assert (reset.data.staff_id, reset.data.reason) == (
        "ada",
        "exam platform outage during the attempt",
    )
    assert reset.data.actor.startswith("sam")
    assert (await harness.start(holder, track.track_key)).status_code == 201


async def test_support_actions_need_the_support_role(harness: Harness) -> None:
    operator = unique_operator()
    officer = harness.auth(operator, roles=["compliance_officer", "operator_admin"])
    response = await harness.client.post(
        f"/v1/support/operators/{operator}/staff/ada/tracks/MGA.compliance_officer/attempt-reset",
        json={"reason": "please"},
        headers=officer,
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "requires one of the roles: academy_support, academy_admin"


async def test_resetting_an_unknown_staff_member_is_a_404(harness: Harness) -> None:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    response = await harness.client.post(
        f"/v1/support/operators/{operator}/staff/ghost/tracks/{track.track_key}/attempt-reset",
        json={"reason": "ticket 123"},
        headers=_support(harness),
    )
    assert response.status_code == 404
    assert response.json()["error"] == "staff_not_found"


@pytest.mark.parametrize(
    "action",
    [
        "certificates/cert-1/revocation",
        "staff/ada/tracks/{track}/attempt-reset",
        "staff/ada/tracks/{track}/training-waiver",
    ],
)
async def test_a_support_action_on_a_mistyped_operator_is_a_404_naming_the_one_meant(
    harness: Harness, action: str
) -> None:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = f"{uuid.uuid4().hex[:10]}-casino"
    signed_in = await harness.client.get("/v1/me", headers=harness.auth(operator, sub="ada"))
    assert signed_in.status_code == 200, signed_in.text
    typo = operator.replace("casino", "casno")
    path = action.format(track=track.track_key)

    response = await harness.client.post(
        f"/v1/support/operators/{typo}/{path}",
        json={"reason": "ticket 123"},
        headers=_support(harness),
    )

    assert response.status_code == 404, response.text
    assert response.json() == {
        "error": "not_found",
        "reason": "unknown_operator",
        "detail": f"no operator {typo!r}; did you mean {operator!r}?",
        "did_you_mean": [operator],
    }
    assert await harness.events(typo) == []
