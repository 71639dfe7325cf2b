"""Certificates through the API: recertification window, history, public verification."""

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator

from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration


async def _pass(harness: Harness, track: TrackPublished, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    await harness.complete_training(headers, track.track_key)
    attempt = (await harness.start(headers, track.track_key)).json()
    response = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"])
    )
    assert response.json()["result"] == "pass", response.text
    certificate: dict = response.json()["certificate"]  # type: ignore[type-arg]
    return certificate


async def _enrolled(harness: Harness) -> tuple[TrackPublished, dict[str, str], str]:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    return track, harness.auth(operator, sub="grace", name="Grace Hopper"), operator


async def test_recertifying_in_the_window_issues_a_new_certificate_and_keeps_history(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    first = await _pass(harness, track, headers)
    too_early = await harness.start(headers, track.track_key)
    assert too_early.status_code == 409
    assert too_early.json()["error"] == "recertification_not_open"
    assert too_early.json()["retry_at"] == first["recert_window_opens_at"]
    harness.clock.advance(days=17 * 30 + 10)
    assert harness.clock().isoformat() > first["recert_window_opens_at"].replace("Z", "+00:00")
    second = await _pass(harness, track, headers)
    assert second["certificate_id"] != first["certificate_id"]
    mine = (await harness.client.get("/v1/me/certificates", headers=headers)).json()
    assert [(c["certificate_id"], c["status"]) for c in mine["certificates"]] == [
        (second["certificate_id"], "valid"),
        (first["certificate_id"], "superseded"),
    ]
    assert mine["certificates"][0]["recertifies"] == first["certificate_id"]
    issued = await harness.events(operator, "academy.certification.issued.v1")
    assert [e.data.recertifies for e in issued] == [None, first["certificate_id"]]


async def test_verification_shows_validity_and_the_name_but_nothing_else_personal(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    certificate = await _pass(harness, track, headers)
    typed = certificate["verification_code"].replace("-", " ").lower()
    response = await harness.client.get(f"/v1/certificates/verify/{typed}")
    assert response.status_code == 200, response.text
    assert response.json() | {"checked_at": None} == {
        "verification_code": certificate["verification_code"],
        "valid": True,
        "status": "valid",
        "holder_name": "Grace Hopper",
        "jurisdiction": track.jurisdiction,
        "role": "compliance_officer",
        "issued_at": certificate["passed_at"],
        "expires_at": certificate["expires_at"],
        "checked_at": None,
    }
    for personal in ("grace@", "staff_id", operator, certificate["certificate_id"]):
        assert personal not in response.text
    harness.clock.advance(days=600)
    lapsed = await harness.client.get(f"/v1/certificates/verify/{typed}")
    assert (lapsed.json()["valid"], lapsed.json()["status"]) == (False, "expired")


async def test_verification_codes_that_are_malformed_or_unknown_get_clear_errors(
    harness: Harness,
) -> None:
    malformed = await harness.client.get("/v1/certificates/verify/not-a-code")
    assert malformed.status_code == 422
    assert malformed.json()["error"] == "invalid_verification_code"
    assert "12 characters" in malformed.json()["detail"]
    unknown = await harness.client.get("/v1/certificates/verify/0000-0000-0000")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "certificate_not_found"


async def test_passing_after_a_lapse_recertifies_without_superseding_the_expired_one(
    harness: Harness,
) -> None:
    track, headers, _ = await _enrolled(harness)
    first = await _pass(harness, track, headers)
    harness.clock.advance(days=600)
    second = await _pass(harness, track, headers)
    mine = (await harness.client.get("/v1/me/certificates", headers=headers)).json()
    assert [(c["certificate_id"], c["status"], c["recertifies"]) for c in mine["certificates"]] == [
        (second["certificate_id"], "valid", first["certificate_id"]),
        (first["certificate_id"], "expired", None),
    ]
