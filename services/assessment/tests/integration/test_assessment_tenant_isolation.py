"""Isolation: every route, tried with another operator's token and that operator's ids.

Operator B's staff member "victim" has progress, a certificate and an open attempt. A caller
from operator A, with the same staff id and every tenant-level role, must neither see nor
change any of it. A route added without a case here fails the coverage check.
"""

import time
from dataclasses import dataclass

import httpx
import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator

pytestmark = pytest.mark.integration

PUBLIC = {("GET", "/v1/certificates/verify/{code}")}


@dataclass(frozen=True)
class Victim:
    operator: str
    track_key: str
    attempt_id: str
    certificate_id: str
    verification_code: str
    name: str = "Victoria Victim"


async def _victim(harness: Harness) -> Victim:
    track = realistic_track(jurisdiction=unique_jurisdiction(), cooldown_hours=0)
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    headers = harness.auth(operator, sub="victim", name=Victim.name)
    await harness.client.put(
        f"/v1/me/tracks/{track.track_key}/modules/core-aml/completion", headers=headers
    )
    await harness.complete_training(headers, track.track_key)
    passed = (await harness.start(headers, track.track_key)).json()
    certificate = (
        await harness.submit(headers, passed["attempt_id"], answers(track, passed["paper"]))
    ).json()["certificate"]
    harness.clock.advance(days=520)
    open_attempt = (await harness.start(headers, track.track_key)).json()
    return Victim(
        operator=operator,
        track_key=track.track_key,
        attempt_id=open_attempt["attempt_id"],
        certificate_id=certificate["certificate_id"],
        verification_code=certificate["verification_code"],
    )


def _cases(v: Victim) -> dict[tuple[str, str], tuple[str, dict[str, object] | None]]:
    """(method, route template) -> (concrete URL with B's ids, JSON body)."""
    me, op, key = "/v1/me", f"/v1/operators/{v.operator}", v.track_key
    support = f"/v1/support/operators/{v.operator}"
    reason = {"reason": "trying to reach another operator"}
    return {
        ("GET", "/v1/me"): (me, None),
        ("GET", "/v1/me/tracks"): (f"{me}/tracks", None),
        ("GET", "/v1/me/progress"): (f"{me}/progress", None),
        ("GET", "/v1/me/tracks/{track_key}"): (f"{me}/tracks/{key}", None),
        ("GET", "/v1/me/tracks/{track_key}/lessons/{lesson_id}"): (
            f"{me}/tracks/{key}/lessons/core-aml-l1",
            None,
        ),
        (
            "PUT",
            "/v1/me/tracks/{track_key}/modules/{module_id}/lessons/{lesson_id}/completion",
        ): (f"{me}/tracks/{key}/modules/core-kyc/lessons/core-kyc-l1/completion", None),
        ("PUT", "/v1/me/tracks/{track_key}/modules/{module_id}/completion"): (
            f"{me}/tracks/{key}/modules/core-tm/completion",
            None,
        ),
        ("POST", "/v1/me/tracks/{track_key}/attempts"): (f"{me}/tracks/{key}/attempts", None),
        ("GET", "/v1/me/attempts"): (f"{me}/attempts", None),
        ("GET", "/v1/me/attempts/{attempt_id}"): (f"{me}/attempts/{v.attempt_id}", None),
        ("POST", "/v1/me/attempts/{attempt_id}/submission"): (
            f"{me}/attempts/{v.attempt_id}/submission",
            {"answers": {}},
        ),
        ("GET", "/v1/me/certificates"): (f"{me}/certificates", None),
        ("GET", "/v1/me/certificates/{certificate_id}/printable"): (
            f"{me}/certificates/{v.certificate_id}/printable",
            None,
        ),
        ("GET", "/v1/operators/{operator_id}/staff"): (f"{op}/staff", None),
        ("GET", "/v1/operators/{operator_id}/certificates"): (f"{op}/certificates", None),
        ("GET", "/v1/operators/{operator_id}/certificates/expiring"): (
            f"{op}/certificates/expiring",
            None,
        ),
        ("GET", "/v1/operators/{operator_id}/readiness"): (f"{op}/readiness", None),
        ("POST", "/v1/support/operators/{operator_id}/certificates/{certificate_id}/revocation"): (
            f"{support}/certificates/{v.certificate_id}/revocation",
            reason,
        ),
        (
            "POST",
            "/v1/support/operators/{operator_id}/staff/{staff_id}/tracks/{track_key}/attempt-reset",
        ): (f"{support}/staff/victim/tracks/{key}/attempt-reset", reason),
        (
            "POST",
            "/v1/support/operators/{operator_id}/staff/{staff_id}/tracks/{track_key}/training-waiver",
        ): (f"{support}/staff/victim/tracks/{key}/training-waiver", reason),
        ("PUT", "/v1/admin/operators/{operator_id}/jurisdictions"): (
            f"/v1/admin/operators/{v.operator}/jurisdictions",
            {"jurisdictions": ["MGA"], "reason": "take over"},
        ),
        ("GET", "/v1/admin/operators/{operator_id}/jurisdictions"): (
            f"/v1/admin/operators/{v.operator}/jurisdictions",
            None,
        ),
    }


def _routes(harness: Harness) -> set[tuple[str, str]]:
    """Every documented /v1 operation (the OpenAPI document is the route list)."""
    return {
        (method.upper(), path)
        for path, operations in harness.app.openapi()["paths"].items()
        if path.startswith("/v1/")
        for method in operations
    }


async def _call(
    harness: Harness, method: str, url: str, body: object, headers: dict[str, str]
) -> httpx.Response:
    extra = {"Idempotency-Key": "isolation-probe-1"} if url.endswith("/submission") else {}
    return await harness.client.request(method, url, json=body, headers={**headers, **extra})


async def test_no_route_lets_another_operator_see_or_change_anything(harness: Harness) -> None:
    victim = await _victim(harness)
    cases = _cases(victim)
    assert set(cases) == _routes(harness) - PUBLIC, "every /v1 route needs an isolation case"
    before = await harness.events(victim.operator)
    attacker = unique_operator()
    await harness.go_live(attacker, victim.track_key.split(".")[0])
    headers = harness.auth(
        attacker, sub="victim", roles=["compliance_officer", "operator_admin"], name="Mallory"
    )
    for (method, template), (url, body) in cases.items():
        response = await _call(harness, method, url, body, headers)
        assert response.status_code < 500, (template, response.text)
        for secret in (victim.name, victim.verification_code, victim.certificate_id):
            if secret not in url:  # a 404 naming the id the caller sent reveals nothing
                assert secret not in response.text, (template, secret)
        if victim.operator in url:
            assert response.status_code in (403, 404), (template, response.status_code)
        if victim.attempt_id in url:
            assert response.status_code == 404, (template, response.status_code)
    assert await harness.events(victim.operator) == before
    own = harness.auth(victim.operator, sub="victim", name=victim.name)
    attempt = await harness.client.get(f"/v1/me/attempts/{victim.attempt_id}", headers=own)
    assert attempt.json()["status"] == "open"
    verified = await harness.client.get(f"/v1/certificates/verify/{victim.verification_code}")
    assert verified.json()["status"] == "valid"


async def test_every_protected_route_answers_401_without_a_valid_token(harness: Harness) -> None:
    cases = _cases(await _victim(harness))
    expired = harness.issuer.mint(
        sub="x", operator_id="op-x", groups=["academy_admin"], exp=int(time.time()) - 3600
    )
    bad_headers = [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ]
    for (method, template), (url, body) in cases.items():
        for headers in bad_headers:
            response = await _call(harness, method, url, body, headers)
            assert response.status_code == 401, (template, headers, response.text)
            assert response.json()["error"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_role_restricted_routes_answer_403_to_the_wrong_role(harness: Harness) -> None:
    victim = await _victim(harness)
    cases = _cases(victim)
    restricted = [
        (m, t) for (m, t) in cases if t.startswith(("/v1/operators/", "/v1/support/"))
    ] + [("PUT", "/v1/admin/operators/{operator_id}/jurisdictions")]
    headers = harness.auth(victim.operator, roles=["croupier"])
    for method, template in restricted:
        url, body = cases[(method, template)]
        response = await _call(harness, method, url, body, headers)
        assert response.status_code == 403, (template, response.text)
        assert "requires one of the roles" in response.json()["detail"]
