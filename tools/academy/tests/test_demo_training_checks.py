"""The demo's checks of served lessons and of the packs' training register."""

import hashlib
from datetime import UTC, datetime
from typing import Any

from academy.demo.lessons import LessonRef, lesson_problems, lessons_in_order, required_modules
from academy.demo.register_check import Issued, check_register, untrained_modules

KEY = "MGA.kyc_analyst"
STARTED = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def ref(lesson_id: str, module_id: str = "kyc-cdd") -> LessonRef:
    return LessonRef(module_id, lesson_id, "1", f"/v1/me/tracks/{KEY}/lessons/{lesson_id}")


def served(lesson: LessonRef, **changes: Any) -> dict[str, Any]:
    markdown = f"# {lesson.lesson_id}\n\nKnow your customer."
    body = {
        "track_key": KEY,
        "track_version": "v1",
        "module_id": lesson.module_id,
        "lesson_id": lesson.lesson_id,
        "version": lesson.version,
        "markdown": markdown,
        "html": f"<h1>{lesson.lesson_id}</h1>\n<p>Know your customer.</p>",
        "content_digest": hashlib.sha256(markdown.encode()).hexdigest(),
        "previous_href": None,
        "next_href": None,
        "completion_href": f"/v1/me/tracks/{KEY}/modules/{lesson.module_id}/lessons/"
        f"{lesson.lesson_id}/completion",
    }
    return {**body, **changes}


def problems_of(body: dict[str, Any], lesson: LessonRef, **links: LessonRef | None) -> list[str]:
    return lesson_problems(
        body,
        track_key=KEY,
        track_version="v1",
        expected=lesson,
        previous=links.get("previous"),
        following=links.get("following"),
    )


def test_a_lesson_served_as_the_track_links_it_has_no_problems() -> None:
    first, second, third = ref("l1"), ref("l2"), ref("l3")
    body = served(second, previous_href=first.href, next_href=third.href)
    assert problems_of(body, second, previous=first, following=third) == []


def test_a_digest_that_is_not_64_hex_digits_is_a_problem() -> None:
    lesson = ref("l1")
    [problem] = problems_of(served(lesson, content_digest="abc"), lesson)
    assert "not 64 hex digits" in problem


def test_a_digest_of_other_markdown_is_a_problem() -> None:
    lesson = ref("l1")
    [problem] = problems_of(served(lesson, content_digest="0" * 64), lesson)
    assert "not the SHA-256 of the markdown" in problem


def test_an_empty_html_is_a_problem() -> None:
    lesson = ref("l1")
    assert problems_of(served(lesson, html="  "), lesson) == [f"{KEY} l1: html is empty"]


def test_a_next_link_skipping_a_lesson_is_a_problem() -> None:
    first, second, third = ref("l1"), ref("l2"), ref("l3")
    [problem] = problems_of(served(first, next_href=third.href), first, following=second)
    assert problem.startswith(f"{KEY} l1: next_href is ")


def test_lessons_are_read_module_by_module_in_track_order() -> None:
    track = {
        "exam": {"required_modules": None},
        "modules": [
            {"id": "b", "lessons": [{"id": "b1", "version": "1", "href": "/b1"}]},
            {"id": "a", "lessons": [{"id": "a1", "version": "2", "href": "/a1"}]},
        ],
    }
    assert [r.lesson_id for r in lessons_in_order(track)] == ["b1", "a1"]
    assert required_modules(track) == ["b", "a"]
    assert required_modules({**track, "exam": {"required_modules": ["a"]}}) == ["a"]


def register_row(**changes: str) -> dict[str, str]:
    row = {
        "staff_id": "kofi.mensah",
        "track_key": KEY,
        "modules_required": "aml;kyc",
        "modules_completed": "aml=2026-12-02T09:10:00Z;kyc=2026-12-02T09:40:00Z",
        "certificate_id": "cert-1",
    }
    return {**row, **changes}


def issued(certificate_id: str = "cert-1") -> Issued:
    return Issued(certificate_id, "kofi.mensah", KEY, STARTED)


def test_every_required_module_completed_before_the_exam_is_trained() -> None:
    assert untrained_modules(register_row(), before=STARTED) == []


def test_a_module_completed_after_the_exam_started_is_untrained() -> None:
    late = register_row(modules_completed="aml=2026-12-02T09:10:00Z;kyc=2026-12-02T10:00:01Z")
    assert untrained_modules(late, before=STARTED) == ["kyc"]


def test_a_register_with_every_certificate_trained_has_no_problems() -> None:
    findings = check_register([issued()], [register_row()], waived=set())
    assert findings.problems == []
    assert findings.trained == {("kofi.mensah", KEY): 1}


def test_a_certificate_no_register_row_names_is_a_problem() -> None:
    findings = check_register([issued("cert-2")], [register_row()], waived=set())
    [problem] = findings.problems
    assert "no register row names certificate" in problem


def test_a_certificate_issued_without_training_is_a_problem_unless_waived() -> None:
    untrained = register_row(modules_completed="aml=2026-12-02T09:10:00Z")
    assert check_register([issued()], [untrained], waived=set()).problems == [
        f"('kofi.mensah', '{KEY}'): certificate cert-1 issued without ['kyc']"
    ]
    waived = check_register([issued()], [untrained], waived={("kofi.mensah", KEY)})
    assert waived.problems == []
    assert waived.untrained == {("kofi.mensah", KEY): 1}


def test_a_waived_track_whose_register_shows_full_training_is_a_problem() -> None:
    findings = check_register([issued()], [register_row()], waived={("kofi.mensah", KEY)})
    assert findings.problems == [
        f"('kofi.mensah', '{KEY}'): certificate cert-1 shows training though waived"
    ]


def test_a_certificate_named_by_rows_of_several_packs_counts_once() -> None:
    findings = check_register([issued()], [register_row(), register_row()], waived=set())
    assert findings.trained == {("kofi.mensah", KEY): 1}
