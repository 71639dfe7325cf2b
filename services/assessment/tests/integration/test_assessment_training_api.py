"""Training through the API: JIT staff, my tracks, idempotent lesson and module completion."""

import pytest
from assessment_harness import Harness
from assessment_testkit import realistic_track, unique_jurisdiction, unique_operator

pytestmark = pytest.mark.integration


async def test_first_call_provisions_the_staff_member_from_the_token_once(harness: Harness) -> None:
    operator = unique_operator()
    headers = harness.auth(operator, sub="ada", name="Ada Lovelace")
    first = await harness.client.get("/v1/me", headers=headers)
    again = await harness.client.get("/v1/me", headers=headers)
    assert first.status_code == 200, first.text
    assert again.json() == first.json()
    assert first.json()["name"] == "Ada Lovelace"
    assert first.json()["roles"] == ["compliance_officer"]
    provisioned = await harness.events(operator, "academy.staff.provisioned.v1")
    assert [e.data.staff_id for e in provisioned] == ["ada"]


async def test_my_tracks_are_my_roles_in_my_operators_jurisdictions(harness: Harness) -> None:
    live, other = unique_jurisdiction(), unique_jurisdiction()
    await harness.publish(
        realistic_track(jurisdiction=live),
        realistic_track(jurisdiction=live, role="mlro"),
        realistic_track(jurisdiction=other),
    )
    operator = unique_operator()
    await harness.go_live(operator, live)
    response = await harness.client.get("/v1/me/tracks", headers=harness.auth(operator))
    assert response.status_code == 200, response.text
    tracks = response.json()["tracks"]
    assert [t["track_key"] for t in tracks] == [f"{live}.compliance_officer"]
    assert tracks[0]["progress"]["percent"] == 0
    assert tracks[0]["certificate"] is None
    assert "question_pool" not in response.text


async def test_new_track_version_becomes_current_and_progress_counts_against_it(
    harness: Harness,
) -> None:
    jurisdiction = unique_jurisdiction()
    await harness.publish(realistic_track(jurisdiction=jurisdiction, version="1.0"))
    operator = unique_operator()
    await harness.go_live(operator, jurisdiction)
    headers = harness.auth(operator)
    key = f"{jurisdiction}.compliance_officer"
    done = await harness.client.put(
        f"/v1/me/tracks/{key}/modules/core-aml/completion", headers=headers
    )
    assert done.json()["progress"]["lessons_completed"] == 2
    await harness.publish(
        realistic_track(jurisdiction=jurisdiction, version="2.0", lesson_version="2")
    )
    detail = (await harness.client.get(f"/v1/me/tracks/{key}", headers=headers)).json()
    assert detail["version"] == "2.0"
    assert detail["progress"]["lessons_completed"] == 0


async def test_completing_a_lesson_twice_counts_once_and_says_already_completed(
    harness: Harness,
) -> None:
    jurisdiction = unique_jurisdiction()
    await harness.publish(realistic_track(jurisdiction=jurisdiction))
    operator = unique_operator()
    await harness.go_live(operator, jurisdiction)
    headers = harness.auth(operator)
    track_url = f"/v1/me/tracks/{jurisdiction}.compliance_officer"
    url = f"{track_url}/modules/core-aml/lessons/core-aml-l1/completion"
    first = await harness.client.put(url, headers=headers)
    second = await harness.client.put(url, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["completed_lessons"] == ["core-aml-l1"]
    assert first.json()["already_completed"] is False
    assert second.json()["already_completed"] is True
    assert second.json()["progress"]["lessons_completed"] == 1
    lessons = await harness.events(operator, "academy.lesson.completed.v1")
    assert [(e.data.module_id, e.data.lesson_id) for e in lessons] == [("core-aml", "core-aml-l1")]


async def test_the_lesson_that_finishes_a_module_emits_module_completed_once(
    harness: Harness,
) -> None:
    jurisdiction = unique_jurisdiction()
    track = realistic_track(jurisdiction=jurisdiction)
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, jurisdiction)
    headers = harness.auth(operator)
    base = f"/v1/me/tracks/{track.track_key}/modules/core-kyc"
    for lesson in ("core-kyc-l1", "core-kyc-l2", "core-kyc-l3"):
        last = await harness.client.put(f"{base}/lessons/{lesson}/completion", headers=headers)
    assert last.json()["module_completed"] is True
    again = await harness.client.put(f"{base}/completion", headers=headers)
    assert again.json() | {"progress": None} == {
        "track_key": track.track_key,
        "track_version": track.version,
        "module_id": "core-kyc",
        "completed_lessons": [],
        "already_completed": True,
        "module_completed": False,
        "progress": None,
    }
    modules = await harness.events(operator, "academy.module.completed.v1")
    assert [(e.data.module_id, e.data.track_version) for e in modules] == [
        ("core-kyc", track.version)
    ]
    assert all(e.tenantid == operator and e.subject for e in modules)


async def test_completing_a_whole_module_marks_it_in_my_track_detail(harness: Harness) -> None:
    jurisdiction = unique_jurisdiction()
    track = realistic_track(jurisdiction=jurisdiction)
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, jurisdiction)
    headers = harness.auth(operator)
    response = await harness.client.put(
        f"/v1/me/tracks/{track.track_key}/modules/core-rg/completion", headers=headers
    )
    assert response.json()["completed_lessons"] == ["core-rg-l1", "core-rg-l2"]
    assert response.json()["module_completed"] is True
    detail = (await harness.client.get(f"/v1/me/tracks/{track.track_key}", headers=headers)).json()
    by_id = {m["id"]: m for m in detail["modules"]}
    assert by_id["core-rg"]["completed"] is True
    assert all(lesson["completed"] for lesson in by_id["core-rg"]["lessons"])
    assert by_id["core-aml"]["completed"] is False
    progress = (await harness.client.get("/v1/me/progress", headers=headers)).json()
    assert progress["tracks"][0]["progress"]["modules_completed"] == 1


async def test_unknown_lesson_and_unassigned_track_say_what_is_wrong(harness: Harness) -> None:
    jurisdiction = unique_jurisdiction()
    track = realistic_track(jurisdiction=jurisdiction)
    await harness.publish(track)
    operator = unique_operator()
    headers = harness.auth(operator)
    not_live = await harness.client.get(f"/v1/me/tracks/{track.track_key}", headers=headers)
    assert not_live.status_code == 403
    assert not_live.json()["error"] == "track_not_assigned"
    assert f"not going live in {jurisdiction}" in not_live.json()["detail"]
    await harness.go_live(operator, jurisdiction)
    unknown = await harness.client.put(
        f"/v1/me/tracks/{track.track_key}/modules/core-aml/lessons/nope/completion",
        headers=headers,
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "unknown_lesson"
    missing = await harness.client.get(f"/v1/me/tracks/{jurisdiction}.nobody", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "track_not_found"
