"""Lessons through the API: the track version's text (overrides applied) as Markdown and safe
HTML with its digest; opening and completing leave training evidence in the outbox."""

import pytest
from assessment_harness import Harness
from assessment_testkit import realistic_track, unique_jurisdiction, unique_operator

from contracts.catalogue import TrackPublished
from contracts.digests import lesson_digest

pytestmark = pytest.mark.integration

OVERRIDE = (
    "# What money laundering looks like in gaming\n\n"
    "In this jurisdiction the **local FIU** must hear first: see [the guidance]"
    "(https://fiu.example/guidance).\n\n<script>alert('x')</script>\n"
)


async def _enrolled(
    harness: Harness, **track_args: object
) -> tuple[TrackPublished, dict[str, str], str]:
    track = realistic_track(jurisdiction=unique_jurisdiction(), **track_args)  # type: ignore[arg-type]
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    return track, harness.auth(operator, sub="ada", name="Ada Lovelace"), operator


async def test_a_lesson_is_served_with_its_override_as_markdown_safe_html_and_digest(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness, overrides={"core-aml-l1": OVERRIDE})
    response = await harness.client.get(
        f"/v1/me/tracks/{track.track_key}/lessons/core-aml-l1", headers=headers
    )
    assert response.status_code == 200, response.text
    lesson = response.json()
    assert lesson["markdown"] == OVERRIDE
    assert lesson["content_digest"] == lesson_digest(OVERRIDE)
    assert "<strong>local FIU</strong>" in lesson["html"]
    assert '<a href="https://fiu.example/guidance"' in lesson["html"]
    assert "<script" not in lesson["html"]
    assert (lesson["track_version"], lesson["module_id"], lesson["version"]) == (
        track.version,
        "core-aml",
        "1",
    )
    assert (lesson["previous_lesson_id"], lesson["next_lesson_id"]) == (None, "core-aml-l2")
    assert lesson["next_href"] == f"/v1/me/tracks/{track.track_key}/lessons/core-aml-l2"
    assert lesson["completed"] is False
    [opened] = await harness.events(operator, "academy.lesson.opened.v1")
    assert (opened.data.track_version, opened.data.lesson_id, opened.data.content_digest) == (
        track.version,
        "core-aml-l1",
        lesson_digest(OVERRIDE),
    )
    assert opened.subject == "ada"
    assert opened.data.training.track_version == track.version
    assert opened.data.training.modules_completed == []


async def test_opening_a_lesson_does_not_complete_it(harness: Harness) -> None:
    track, headers, operator = await _enrolled(harness)
    for lesson_id in ("core-aml-l1", "core-aml-l2"):
        opened = await harness.client.get(
            f"/v1/me/tracks/{track.track_key}/lessons/{lesson_id}", headers=headers
        )
        assert opened.status_code == 200, opened.text
    detail = (await harness.client.get(f"/v1/me/tracks/{track.track_key}", headers=headers)).json()
    assert detail["progress"]["lessons_completed"] == 0
    assert await harness.events(operator, "academy.lesson.completed.v1") == []
    assert len(await harness.events(operator, "academy.lesson.opened.v1")) == 2


async def test_a_lesson_shows_completed_after_its_completion(harness: Harness) -> None:
    track, headers, _ = await _enrolled(harness)
    lesson = (
        await harness.client.get(
            f"/v1/me/tracks/{track.track_key}/lessons/core-kyc-l3", headers=headers
        )
    ).json()
    assert lesson["previous_lesson_id"] == "core-kyc-l2"
    assert lesson["next_lesson_id"] == "core-tm-l1"
    done = await harness.client.put(lesson["completion_href"], headers=headers)
    assert done.status_code == 200, done.text
    again = await harness.client.get(
        f"/v1/me/tracks/{track.track_key}/lessons/core-kyc-l3", headers=headers
    )
    assert again.json()["completed"] is True


async def test_the_lesson_is_that_of_the_current_track_version(harness: Harness) -> None:
    track, headers, _ = await _enrolled(harness)
    revised = realistic_track(
        jurisdiction=track.jurisdiction,
        version="2027.01.1",
        published_at=harness.clock(),
        lesson_version="2",
        overrides={"core-aml-l1": "# Revised\n\nNew rules.\n"},
    )
    await harness.publish(revised)
    lesson = (
        await harness.client.get(
            f"/v1/me/tracks/{track.track_key}/lessons/core-aml-l1", headers=headers
        )
    ).json()
    assert (lesson["track_version"], lesson["version"], lesson["markdown"]) == (
        "2027.01.1",
        "2",
        "# Revised\n\nNew rules.\n",
    )


async def test_a_lesson_not_in_the_track_is_a_404_naming_it(harness: Harness) -> None:
    track, headers, operator = await _enrolled(harness)
    response = await harness.client.get(
        f"/v1/me/tracks/{track.track_key}/lessons/core-aml-l9", headers=headers
    )
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_lesson"
    assert "core-aml-l9" in response.json()["detail"]
    assert await harness.events(operator, "academy.lesson.opened.v1") == []


async def test_track_and_module_responses_link_every_lesson(harness: Harness) -> None:
    track, headers, _ = await _enrolled(harness)
    detail = (await harness.client.get(f"/v1/me/tracks/{track.track_key}", headers=headers)).json()
    hrefs = [lesson["href"] for module in detail["modules"] for lesson in module["lessons"]]
    expected = [
        f"/v1/me/tracks/{track.track_key}/lessons/{lesson.id}"
        for module in track.modules
        for lesson in module.lessons
    ]
    assert hrefs == expected
    for href in hrefs:
        assert (await harness.client.get(href, headers=headers)).status_code == 200


async def test_completing_records_lesson_and_module_digests_and_the_training_state(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    aml = track.modules[0]
    done = await harness.client.put(
        f"/v1/me/tracks/{track.track_key}/modules/{aml.id}/completion", headers=headers
    )
    assert done.status_code == 200, done.text
    lessons = await harness.events(operator, "academy.lesson.completed.v1")
    assert [(e.data.lesson_id, e.data.content_digest) for e in lessons] == [
        (lesson.id, lesson.digest) for lesson in aml.lessons
    ]
    assert [e.data.track_version for e in lessons] == [track.version] * len(aml.lessons)
    [module] = await harness.events(operator, "academy.module.completed.v1")
    assert (module.data.module_id, module.data.content_digest) == (aml.id, aml.digest)
    state = module.data.training
    assert [(m.module_id, m.completed_at) for m in state.modules_completed] == [
        (aml.id, harness.clock())
    ]
    assert state.modules_required == [m.id for m in track.modules]
    assert lessons[0].data.training.modules_completed == []
