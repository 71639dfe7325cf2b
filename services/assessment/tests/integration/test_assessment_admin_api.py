"""Go-live changes check what they name: a known operator, jurisdictions the catalogue published."""

import uuid

import httpx
import pytest
from assessment_harness import Harness
from assessment_testkit import realistic_track, unique_jurisdiction, unique_operator

pytestmark = pytest.mark.integration


def _admin(harness: Harness, role: str = "academy_admin") -> dict[str, str]:
    return harness.auth("academy-vendor", sub="root", roles=[role])


async def _published(harness: Harness) -> str:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    await harness.publish(track)
    return track.jurisdiction


async def _put(
    harness: Harness, operator: str, headers: dict[str, str], **body: object
) -> httpx.Response:
    return await harness.client.put(
        f"/v1/admin/operators/{operator}/jurisdictions", json=body, headers=headers
    )


@pytest.mark.parametrize("role", ["academy_admin", "academy_support"])
async def test_vendor_staff_naming_a_mistyped_operator_get_a_404_naming_the_one_meant(
    harness: Harness, role: str
) -> None:
    jurisdiction = await _published(harness)
    operator = f"{uuid.uuid4().hex[:10]}-casino"
    await harness.go_live(operator, jurisdiction)
    typo = operator.replace("casino", "casno")

    response = await _put(harness, typo, _admin(harness, role), jurisdictions=[jurisdiction])

    assert response.status_code == 404, response.text
    assert response.json() == {
        "error": "not_found",
        "reason": "unknown_operator",
        "detail": f"no operator {typo!r}; did you mean {operator!r}?",
        "did_you_mean": [operator],
    }
    assert await harness.events(typo) == []


async def test_an_operator_nobody_has_seen_says_how_to_onboard_it(harness: Harness) -> None:
    jurisdiction = await _published(harness)
    operator = f"zz-{unique_operator()}-never-seen"

    response = await _put(harness, operator, _admin(harness), jurisdictions=[jurisdiction])

    assert response.status_code == 404, response.text
    assert response.json()["did_you_mean"] == []
    assert '"new_operator": true' in response.json()["detail"]


async def test_onboarding_a_new_operator_is_recorded_as_such(harness: Harness) -> None:
    jurisdiction = await _published(harness)
    operator = unique_operator()

    response = await _put(
        harness,
        operator,
        _admin(harness),
        jurisdictions=[jurisdiction],
        reason="contract signed",
        new_operator=True,
    )

    other = await _published(harness)
    again = await _put(
        harness,
        operator,
        _admin(harness),
        jurisdictions=[jurisdiction, other],
        reason="second market",
        new_operator=True,
    )

    assert (response.status_code, again.status_code) == (200, 200), again.text
    onboarded, extended = await harness.events(operator, "academy.operator.jurisdictions_set.v1")
    assert onboarded.data.reason == "new operator onboarded: contract signed"
    assert onboarded.data.jurisdictions == [jurisdiction]
    assert extended.data.reason == "second market"


async def test_an_operator_whose_staff_signed_in_is_known_without_onboarding(
    harness: Harness,
) -> None:
    jurisdiction = await _published(harness)
    operator = unique_operator()
    signed_in = await harness.client.get("/v1/me", headers=harness.auth(operator))
    assert signed_in.status_code == 200, signed_in.text

    response = await _put(harness, operator, _admin(harness), jurisdictions=[jurisdiction])

    assert response.status_code == 200, response.text
    [event] = await harness.events(operator, "academy.operator.jurisdictions_set.v1")
    assert event.data.reason is None


async def test_an_operator_admin_may_always_set_its_own_operators_go_live(
    harness: Harness,
) -> None:
    jurisdiction = await _published(harness)
    operator = unique_operator()
    own = harness.auth(operator, roles=["operator_admin"])

    response = await _put(harness, operator, own, jurisdictions=[jurisdiction])

    assert response.status_code == 200, response.text
    assert response.json()["jurisdictions"] == [jurisdiction]


async def test_a_jurisdiction_the_catalogue_never_published_is_a_422_listing_the_published(
    harness: Harness,
) -> None:
    jurisdiction = await _published(harness)
    operator = unique_operator()
    own = harness.auth(operator, roles=["operator_admin"])

    response = await _put(harness, operator, own, jurisdictions=[jurisdiction, "ZZZZ"])

    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["error"], body["detail"]) == (
        "invalid_request",
        "fix the listed fields: jurisdictions.1",
    )
    [problem] = body["problems"]
    assert problem["field"] == "jurisdictions.1"
    assert problem["problem"].startswith("'ZZZZ' is not published by the catalogue; published: ")
    assert jurisdiction in problem["problem"]
    assert jurisdiction in body["published"]
    assert "ZZZZ" not in body["published"]
    assert await harness.events(operator) == []
    lookup = await harness.client.get(f"/v1/admin/operators/{operator}/jurisdictions", headers=own)
    assert lookup.status_code == 404


async def test_a_misspelt_onboarding_flag_is_refused_not_ignored(harness: Harness) -> None:
    jurisdiction = await _published(harness)

    response = await _put(
        harness, unique_operator(), _admin(harness), jurisdictions=[jurisdiction], new_operatr=True
    )

    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["field"] == "new_operatr"
