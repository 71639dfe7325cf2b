"""Exams through the API: drawing, attempt rules, grading, deadlines, versions, idempotency."""

from typing import Any

import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator
from sqlalchemy import select

from assessment.adapters.orm import attempts, staff
from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration


async def _enrolled(harness: Harness, **policy: Any) -> tuple[TrackPublished, dict[str, str], str]:
    track = realistic_track(jurisdiction=unique_jurisdiction(), **policy)
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    headers = harness.auth(operator, sub="ada", name="Ada Lovelace")
    await harness.complete_training(headers, track.track_key)
    return track, headers, operator


async def test_start_draws_a_paper_without_answers_and_records_seed_and_question_ids(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    response = await harness.start(headers, track.track_key)
    assert response.status_code == 201, response.text
    body = response.json()
    ids = [q["id"] for q in body["paper"]["questions"]]
    assert len(ids) == len(set(ids)) == track.exam.question_count
    assert set(ids) <= {q.id for q in track.question_pool}
    for leaked in ("correct", "explanation", "question_pool"):
        assert leaked not in response.text
    assert body["deadline"] == "2031-11-24T09:30:00Z"
    [started] = await harness.events(operator, "academy.attempt.started.v1")
    assert started.data.question_ids == ids
    assert started.data.track_version == track.version
    async with harness.runtime.sessions() as session:
        row = (
            await session.execute(
                select(attempts.c.seed, attempts.c.question_ids).where(
                    attempts.c.attempt_id == body["attempt_id"]
                )
            )
        ).one()
    assert (row.seed, list(row.question_ids)) == (started.data.seed, ids)


async def test_a_second_attempt_while_one_is_open_is_refused_naming_the_open_one(
    harness: Harness,
) -> None:
    track, headers, _ = await _enrolled(harness)
    first = (await harness.start(headers, track.track_key)).json()
    second = await harness.start(headers, track.track_key)
    assert second.status_code == 409
    assert second.json()["error"] == "attempt_already_open"
    assert second.json()["attempt_id"] == first["attempt_id"]
    assert second.headers["Retry-After"] == str(30 * 60)


async def test_a_passing_submission_is_graded_on_the_server_and_issues_a_certificate(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(minutes=12)
    response = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"])
    )
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert (outcome["result"], outcome["score"], outcome["pass_mark"]) == ("pass", 100, 80)
    assert outcome["wrong_answers"] is None
    certificate = outcome["certificate"]
    assert certificate["expires_at"] == "2033-05-24T09:12:00Z"
    assert certificate["recert_window_opens_at"] == "2033-03-25T09:12:00Z"
    [submitted] = await harness.events(operator, "academy.attempt.submitted.v1")
    assert submitted.data.model_dump(include={"score", "pass_mark", "result", "staff_name"}) == {
        "score": 100,
        "pass_mark": 80,
        "result": "pass",
        "staff_name": "Ada Lovelace",
    }
    assert submitted.data.certificate_id == certificate["certificate_id"]
    [issued] = await harness.events(operator, "academy.certification.issued.v1")
    assert issued.data.verification_code == certificate["verification_code"]
    assert issued.data.track_version == track.version


async def test_a_failed_attempt_starts_the_cooldown_with_retry_after(harness: Harness) -> None:
    track, headers, _ = await _enrolled(harness, cooldown_hours=24)
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(minutes=10)
    failed = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"], correct=10)
    )
    assert (failed.json()["result"], failed.json()["score"]) == ("fail", 50)
    assert failed.json()["certificate"] is None
    harness.clock.advance(hours=23)
    early = await harness.start(headers, track.track_key)
    assert early.status_code == 429
    assert early.json()["error"] == "attempt_cooldown"
    assert early.json()["retry_at"] == "2031-11-25T09:10:00Z"
    assert early.headers["Retry-After"] == str(3600)
    harness.clock.advance(hours=1)
    assert (await harness.start(headers, track.track_key)).status_code == 201


async def test_the_attempt_limit_stops_further_attempts_in_the_cycle(harness: Harness) -> None:
    track, headers, _ = await _enrolled(harness, attempt_limit=2, cooldown_hours=0)
    for _ in range(2):
        attempt = (await harness.start(headers, track.track_key)).json()
        await harness.submit(
            headers, attempt["attempt_id"], answers(track, attempt["paper"], correct=0)
        )
        harness.clock.advance(minutes=1)
    refused = await harness.start(headers, track.track_key)
    assert refused.status_code == 409
    assert refused.json()["error"] == "attempt_limit_reached"
    assert "academy support" in refused.json()["detail"]


async def test_a_submission_after_the_time_limit_is_rejected_and_counts_as_failed(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness, time_limit_minutes=30)
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(minutes=30, seconds=31)
    late = await harness.submit(headers, attempt["attempt_id"], answers(track, attempt["paper"]))
    assert late.status_code == 409
    assert late.json()["error"] == "submission_after_deadline"
    assert "2031-11-24T09:30:00Z" in late.json()["detail"]
    [closed] = await harness.events(operator, "academy.attempt.submitted.v1")
    assert (closed.data.result, closed.data.score) == ("fail", 0)
    assert closed.data.submitted_at == closed.data.started_at.replace(minute=30)
    detail = await harness.client.get(f"/v1/me/attempts/{attempt['attempt_id']}", headers=headers)
    assert detail.json()["status"] == "timed_out"
    assert detail.json()["paper"] is None
    again = await harness.submit(headers, attempt["attempt_id"], answers(track, attempt["paper"]))
    assert again.json()["error"] == "attempt_not_open"


async def test_a_submission_within_the_grace_period_is_still_graded(harness: Harness) -> None:
    track, headers, _ = await _enrolled(harness, time_limit_minutes=30)
    attempt = (await harness.start(headers, track.track_key)).json()
    harness.clock.advance(minutes=30, seconds=20)
    response = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"])
    )
    assert response.status_code == 200
    assert response.json()["result"] == "pass"


async def test_an_attempt_is_graded_against_the_version_it_started_on(harness: Harness) -> None:
    track, headers, operator = await _enrolled(harness, pass_mark=80)
    attempt = (await harness.start(headers, track.track_key)).json()
    stricter = realistic_track(
        jurisdiction=track.jurisdiction,
        version="2026.12.1",
        published_at=harness.clock(),
        pass_mark=100,
        question_count=25,
    )
    await harness.publish(stricter)
    harness.clock.advance(minutes=5)
    response = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"], correct=17)
    )
    outcome = response.json()
    assert (outcome["track_version"], outcome["score"], outcome["pass_mark"]) == (
        track.version,
        85,
        80,
    )
    assert outcome["result"] == "pass"
    [issued] = await harness.events(operator, "academy.certification.issued.v1")
    assert issued.data.track_version == track.version
    tracks = (await harness.client.get("/v1/me/tracks", headers=headers)).json()["tracks"]
    assert tracks[0]["version"] == stricter.version


async def test_resubmitting_with_the_same_key_replays_the_outcome_and_grades_once(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    attempt = (await harness.start(headers, track.track_key)).json()
    given = answers(track, attempt["paper"], correct=18)
    first = await harness.submit(headers, attempt["attempt_id"], given, key="submit-key-0001")
    harness.clock.advance(minutes=1)
    replay = await harness.submit(headers, attempt["attempt_id"], given, key="submit-key-0001")
    assert replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    changed = await harness.submit(
        headers, attempt["attempt_id"], answers(track, attempt["paper"]), key="submit-key-0001"
    )
    assert changed.status_code == 422
    assert changed.json()["error"] == "idempotency_key_reused"
    other_key = await harness.submit(headers, attempt["attempt_id"], given, key="submit-key-0002")
    assert other_key.status_code == 409
    assert other_key.json()["error"] == "attempt_not_open"
    assert len(await harness.events(operator, "academy.attempt.submitted.v1")) == 1


async def test_a_submit_with_a_renamed_token_updates_the_staff_row_and_the_events(
    harness: Harness,
) -> None:
    track, _, operator = await _enrolled(harness)
    attempt = (await harness.start(harness.auth(operator, sub="ada"), track.track_key)).json()
    renamed = harness.auth(operator, sub="ada", name="Ada King")
    submitted = await harness.submit(
        renamed, attempt["attempt_id"], answers(track, attempt["paper"])
    )
    assert submitted.status_code == 200, submitted.text
    async with harness.runtime.sessions() as session:
        stored = await session.scalar(
            select(staff.c.name).where(staff.c.operator_id == operator, staff.c.staff_id == "ada")
        )
    assert stored == "Ada King"
    [event] = await harness.events(operator, "academy.attempt.submitted.v1")
    assert (event.data.staff_name, event.data.training.staff_name) == ("Ada King", "Ada King")


async def test_submitting_an_unknown_attempt_is_a_404_for_known_and_new_staff(
    harness: Harness,
) -> None:
    _, headers, operator = await _enrolled(harness)
    given = {"q": ["a"]}
    known = await harness.submit(headers, "no-such-attempt", given)
    first_sight = await harness.submit(
        harness.auth(operator, sub="grace"), "no-such-attempt", given
    )
    assert (known.status_code, first_sight.status_code) == (404, 404)
    assert {known.json()["error"], first_sight.json()["error"]} == {"attempt_not_found"}
    provisioned = await harness.events(operator, "academy.staff.provisioned.v1")
    assert [e.data.staff_id for e in provisioned] == ["ada"]  # a refused request stores nothing


async def test_submitting_a_colleagues_attempt_is_a_404_and_leaves_it_open(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness)
    attempt = (await harness.start(headers, track.track_key)).json()
    colleague = harness.auth(operator, sub="grace")
    await harness.complete_training(colleague, track.track_key)
    taken = await harness.submit(colleague, attempt["attempt_id"], answers(track, attempt["paper"]))
    assert taken.status_code == 404, taken.text
    assert taken.json()["error"] == "attempt_not_found"
    own = await harness.client.get(f"/v1/me/attempts/{attempt['attempt_id']}", headers=headers)
    assert own.json()["status"] == "open"
    assert await harness.events(operator, "academy.attempt.submitted.v1") == []


async def test_feedback_shows_only_what_the_exam_policy_allows(harness: Harness) -> None:
    quiet, headers, _ = await _enrolled(harness, feedback="none")
    attempt = (await harness.start(headers, quiet.track_key)).json()
    outcome = (
        await harness.submit(headers, attempt["attempt_id"], answers(quiet, attempt["paper"]))
    ).json()
    assert (outcome["result"], outcome["score"], outcome["pass_mark"]) == ("pass", None, None)

    detailed, headers, _ = await _enrolled(harness, feedback="per_question")
    attempt = (await harness.start(headers, detailed.track_key)).json()
    outcome = (
        await harness.submit(
            headers, attempt["attempt_id"], answers(detailed, attempt["paper"], correct=19)
        )
    ).json()
    [wrong] = outcome["wrong_answers"]
    assert wrong["question_id"] == attempt["paper"]["questions"][19]["id"]
    assert wrong["explanation"].startswith("See lesson")
    assert "correct" not in str(outcome)


async def test_answers_that_do_not_match_the_paper_are_a_422_listing_the_problems(
    harness: Harness,
) -> None:
    track, headers, _ = await _enrolled(harness)
    attempt = (await harness.start(headers, track.track_key)).json()
    response = await harness.submit(headers, attempt["attempt_id"], {"not-on-paper": ["x"]})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_answers"
    assert response.json()["problems"] == [
        {"field": "answers.not-on-paper", "problem": "question not-on-paper is not on this paper"}
    ]
    still_open = await harness.client.get(
        f"/v1/me/attempts/{attempt['attempt_id']}", headers=headers
    )
    assert still_open.json()["status"] == "open"


async def test_a_submission_without_idempotency_key_is_refused_naming_the_header(
    harness: Harness,
) -> None:
    track, headers, _ = await _enrolled(harness)
    attempt = (await harness.start(headers, track.track_key)).json()
    response = await harness.client.post(
        f"/v1/me/attempts/{attempt['attempt_id']}/submission",
        json={"answers": {}},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "header.Idempotency-Key"


async def test_my_attempts_list_newest_first_with_results(harness: Harness) -> None:
    track, headers, _ = await _enrolled(harness, cooldown_hours=0)
    first = (await harness.start(headers, track.track_key)).json()
    await harness.submit(headers, first["attempt_id"], answers(track, first["paper"], correct=0))
    harness.clock.advance(minutes=5)
    second = (await harness.start(headers, track.track_key)).json()
    listed = (await harness.client.get("/v1/me/attempts", headers=headers)).json()["attempts"]
    assert [(a["attempt_id"], a["status"], a["result"]) for a in listed] == [
        (second["attempt_id"], "open", None),
        (first["attempt_id"], "submitted", "fail"),
    ]
    assert [a["attempt_number"] for a in listed] == [2, 1]


async def test_a_track_whose_pool_is_too_small_cannot_start_and_says_to_contact_support(
    harness: Harness,
) -> None:
    track, headers, operator = await _enrolled(harness, question_count=40)
    response = await harness.start(headers, track.track_key)
    assert response.status_code == 409
    assert response.json()["error"] == "exam_blueprint_invalid"
    assert "contact academy support" in response.json()["detail"]
    assert await harness.events(operator, "academy.attempt.started.v1") == []
