"""Operator views: staff progress, valid and expiring certificates, onboarding readiness."""

import pytest
from assessment_harness import Harness
from assessment_testkit import (
    answers,
    jurisdiction_added,
    realistic_track,
    release_policy,
    unique_jurisdiction,
    unique_operator,
)

from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration


async def _pass(harness: Harness, track: TrackPublished, headers: dict[str, str]) -> str:
    await harness.complete_training(headers, track.track_key)
    attempt = (await harness.start(headers, track.track_key)).json()
    response = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"])
    )
    certificate_id: str = response.json()["certificate"]["certificate_id"]
    return certificate_id


async def test_staff_progress_lists_each_staff_member_per_track(harness: Harness) -> None:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    ada = harness.auth(operator, sub="ada", name="Ada")
    bob = harness.auth(operator, sub="bob", name="Bob")
    await harness.client.put(
        f"/v1/me/tracks/{track.track_key}/modules/core-aml/completion", headers=ada
    )
    await harness.client.get("/v1/me", headers=bob)
    officer = harness.auth(operator, roles=["compliance_officer"])
    response = await harness.client.get(f"/v1/operators/{operator}/staff", headers=officer)
    assert response.status_code == 200, response.text
    rows = {r["staff_id"]: r for r in response.json()["rows"]}
    assert (rows["ada"]["lessons_completed"], rows["ada"]["modules_completed"]) == (2, 1)
    assert (rows["bob"]["lessons_completed"], rows["bob"]["certificate_id"]) == (0, None)
    assert rows["ada"]["lessons_total"] == 11


async def test_certificate_views_show_valid_holders_and_who_expires_soon(harness: Harness) -> None:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    early = await _pass(harness, track, harness.auth(operator, sub="early"))
    harness.clock.advance(days=120)
    late = await _pass(harness, track, harness.auth(operator, sub="late"))
    harness.clock.advance(days=400)
    admin = harness.auth(operator, roles=["operator_admin"])
    valid = await harness.client.get(f"/v1/operators/{operator}/certificates", headers=admin)
    assert [c["certificate_id"] for c in valid.json()["certificates"]] == [early, late]
    soon = await harness.client.get(
        f"/v1/operators/{operator}/certificates/expiring?within_days=30", headers=admin
    )
    assert [c["certificate_id"] for c in soon.json()["certificates"]] == [early]
    harness.clock.advance(days=60)
    still_valid = await harness.client.get(f"/v1/operators/{operator}/certificates", headers=admin)
    assert [c["certificate_id"] for c in still_valid.json()["certificates"]] == [late]
    everything = await harness.client.get(
        f"/v1/operators/{operator}/certificates?status=all", headers=admin
    )
    assert {c["status"] for c in everything.json()["certificates"]} == {"valid", "expired"}


async def test_readiness_says_which_requirements_are_met_and_what_is_missing(
    harness: Harness,
) -> None:
    ready, pending, without_policy = (unique_jurisdiction() for _ in range(3))
    ready_track = realistic_track(jurisdiction=ready)
    await harness.publish(
        ready_track,
        realistic_track(jurisdiction=pending),
        realistic_track(jurisdiction=without_policy),
        jurisdiction_added(ready),
        release_policy(ready),
        release_policy(pending, requirements=[("compliance_officer", 2)]),
    )
    operator = unique_operator()
    await harness.go_live(operator, ready, pending, without_policy)
    certificate = await _pass(harness, ready_track, harness.auth(operator, sub="ada", name="Ada"))
    officer = harness.auth(operator)
    response = await harness.client.get(f"/v1/operators/{operator}/readiness", headers=officer)
    assert response.status_code == 200, response.text
    by_code = {j["jurisdiction"]: j for j in response.json()["jurisdictions"]}
    assert by_code[ready]["met"] is True
    assert by_code[ready]["name"] == f"Testland {ready}"
    assert by_code[ready]["tooling"] == [f"{ready.lower()}-licensing-suite"]
    assert by_code[ready]["requirements"][0]["holders"][0]["certificate_id"] == certificate
    assert by_code[pending]["met"] is False
    assert by_code[pending]["missing"] == [
        f"2 more compliance_officer with a valid {pending} certificate"
    ]
    assert by_code[without_policy] | {"jurisdiction": None} == {
        "jurisdiction": None,
        "name": None,
        "regulator": None,
        "met": False,
        "policy_published": False,
        "tooling": [],
        "requirements": [],
        "missing": [f"no release policy for {without_policy} has been published yet"],
    }


async def test_operator_views_need_an_officer_or_admin_role(harness: Harness) -> None:
    operator = unique_operator()
    dealer = harness.auth(operator, roles=["croupier"])
    response = await harness.client.get(f"/v1/operators/{operator}/readiness", headers=dealer)
    assert response.status_code == 403
    assert "compliance_officer" in response.json()["detail"]
    support = harness.auth("academy-vendor", roles=["academy_support"])
    assert (
        await harness.client.get(f"/v1/operators/{operator}/readiness", headers=support)
    ).status_code == 200
