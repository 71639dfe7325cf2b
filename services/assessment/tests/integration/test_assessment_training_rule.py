"""Training before the exam: 409 naming the missing modules, completion lets the attempt start,
and a support waiver (audited) lets it start without completing anything."""

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator

from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration

STARTED = "academy.attempt.started.v1"
ACTOR = "sam <sam@academy-vendor.example>"


def _support(harness: Harness) -> dict[str, str]:
    return harness.auth("academy-vendor", sub="sam", roles=["academy_support"])


async def _enrolled(
    harness: Harness, **track_args: object
) -> tuple[TrackPublished, dict[str, str], str]:
    track = realistic_track(jurisdiction=unique_jurisdiction(), **track_args)  # type: ignore[arg-type]
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    return track, harness.auth(operator, sub="ada", name="Ada Lovelace"), operator


async def _complete(harness: Harness, headers: dict[str, str], key: str, module_id: str) -> None:
    done = await harness.client.put(
        f"/v1/me/tracks/{key}/modules/{module_id}/completion", headers=headers
    )
    assert done.status_code == 200, done.text


async def _waive(harness: Harness, operator: str, key: str, reason: str) -> dict[str, object]:
    response = await harness.client.post(
        f"/v1/support/operators/{operator}/staff/ada/tracks/{key}/training-waiver",
        json={"reason": reason},
        headers=_support(harness),
    )
    assert response.status_code == 200, response.text
    waiver: dict[str, object] = response.json()
    return waiver


async def test_starting_without_the_training_is_a_409_naming_the_missing_modules(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    refused = await harness.start(headers, track.track_key)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "training_incomplete"
    assert body["missing_modules"] == [{"module_id": m.id, "title": m.title} for m in track.modules]
    assert track.modules[0].title in body["detail"]
    for module in track.modules[:-1]:
        await _complete(harness, headers, track.track_key, module.id)
    last = track.modules[-1]
    still = await harness.start(headers, track.track_key)
    assert still.status_code == 409
    assert still.json()["missing_modules"] == [{"module_id": last.id, "title": last.title}]
    assert await harness.events(operator, STARTED) == []
    await _complete(harness, headers, track.track_key, last.id)
    started = await harness.start(headers, track.track_key)
    assert started.status_code == 201, started.text
    [event] = await harness.events(operator, STARTED)
    assert [m.module_id for m in event.data.training.modules_completed] == [
        m.id for m in track.modules
    ]


async def test_only_the_modules_the_policy_requires_must_be_completed(harness: Harness) -> None:
    track, headers, _ = await _enrolled(harness, required_modules=["core-aml", "core-kyc"])
    refused = await harness.start(headers, track.track_key)
    assert [m["module_id"] for m in refused.json()["missing_modules"]] == ["core-aml", "core-kyc"]
    await _complete(harness, headers, track.track_key, "core-aml")
    await _complete(harness, headers, track.track_key, "core-kyc")
    assert (await harness.start(headers, track.track_key)).status_code == 201


async def test_a_waiver_lets_the_attempt_start_is_audited_and_completes_nothing(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    await _complete(harness, headers, track.track_key, "core-aml")
    waiver = await _waive(harness, operator, track.track_key, "ticket 4711: trained on paper")
    waived = [m.id for m in track.modules[1:]]
    assert waiver["modules_waived"] == waived
    assert (waiver["actor"], waiver["track_version"]) == (ACTOR, track.version)
    [event] = await harness.events(operator, "academy.training.waived.v1")
    assert (event.data.actor, event.data.reason, event.data.modules_waived) == (
        ACTOR,
        "ticket 4711: trained on paper",
        waived,
    )
    assert (event.subject, event.data.track_version) == ("ada", track.version)
    assert [m.module_id for m in event.data.training.modules_completed] == ["core-aml"]

    attempt = await harness.start(headers, track.track_key)
    assert attempt.status_code == 201, attempt.text
    paper = attempt.json()
    passed = await harness.submit(headers, paper["attempt_id"], answers(track, paper["paper"]))
    assert passed.json()["result"] == "pass"
    [issued] = await harness.events(operator, "academy.certification.issued.v1")
    training = issued.data.training
    assert [m.module_id for m in training.modules_completed] == ["core-aml"]
    assert training.modules_required == [m.id for m in track.modules]
    assert not training.record().complete_by(issued.data.passed_at)
    detail = (await harness.client.get(f"/v1/me/tracks/{track.track_key}", headers=headers)).json()
    assert detail["progress"]["modules_completed"] == 1


async def test_a_waiver_covers_only_the_track_version_it_was_given_for(harness: Harness) -> None:
    track, headers, operator = await _enrolled(harness)
    await harness.client.get("/v1/me", headers=headers)
    await _waive(harness, operator, track.track_key, "ticket 4712")
    await harness.publish(
        realistic_track(
            jurisdiction=track.jurisdiction, version="2027.01.1", published_at=harness.clock()
        )
    )
    refused = await harness.start(headers, track.track_key)
    assert refused.status_code == 409
    assert refused.json()["error"] == "training_incomplete"


async def test_a_waiver_for_someone_who_never_signed_in_is_a_404(harness: Harness) -> None:
    track, _, operator = await _enrolled(harness)
    await harness.client.get("/v1/me", headers=harness.auth(operator, sub="bob"))
    response = await harness.client.post(
        f"/v1/support/operators/{operator}/staff/ghost/tracks/{track.track_key}/training-waiver",
        json={"reason": "ticket 4713"},
        headers=_support(harness),
    )
    assert response.status_code == 404
    assert response.json()["error"] == "staff_not_found"
    assert await harness.events(operator, "academy.training.waived.v1") == []


async def test_a_waiver_needs_a_reason_and_the_support_role(harness: Harness) -> None:
    track, headers, operator = await _enrolled(harness)
    await harness.client.get("/v1/me", headers=headers)
    url = f"/v1/support/operators/{operator}/staff/ada/tracks/{track.track_key}/training-waiver"
    short = await harness.client.post(url, json={"reason": "x"}, headers=_support(harness))
    assert short.status_code == 422
    assert short.json()["problems"][0]["field"] == "reason"
    officer = harness.auth(operator, roles=["compliance_officer", "operator_admin"])
    forbidden = await harness.client.post(url, json={"reason": "let me in"}, headers=officer)
    assert forbidden.status_code == 403
    assert await harness.events(operator, "academy.training.waived.v1") == []
