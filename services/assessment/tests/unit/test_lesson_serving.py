"""Lessons as served: neighbours across modules, digests, and Markdown to sanitised HTML."""

import pytest
from assessment_builders import module, track

from assessment.adapters.lesson_html import render
from assessment.domain.errors import UnknownLesson
from assessment.domain.lessons import find_lesson, served_digest, served_module_digest
from contracts.catalogue import LessonRef
from contracts.digests import lesson_digest, module_digest


def test_a_lesson_knows_its_module_and_neighbours_across_modules() -> None:
    tr = track(modules=[module("core-aml", lessons=2), module("core-kyc", lessons=1)])
    first = find_lesson(tr, "core-aml-l0")
    assert (first.module.id, first.previous_id, first.next_id) == ("core-aml", None, "core-aml-l1")
    bridge = find_lesson(tr, "core-aml-l1")
    assert (bridge.previous_id, bridge.next_id) == ("core-aml-l0", "core-kyc-l0")
    last = find_lesson(tr, "core-kyc-l0")
    assert (last.module.id, last.previous_id, last.next_id) == ("core-kyc", "core-aml-l1", None)


def test_a_lesson_outside_the_track_version_is_unknown_naming_it() -> None:
    with pytest.raises(UnknownLesson) as refused:
        find_lesson(track(version="v7"), "core-zzz-l9")
    assert "core-zzz-l9" in refused.value.message
    assert "v7" in refused.value.message


def test_the_published_digest_is_served_and_older_tracks_get_the_digest_of_their_text() -> None:
    published = LessonRef(id="l", title="t", version="1", markdown="# A\n", digest="f" * 64)
    assert served_digest(published) == "f" * 64
    older = LessonRef(id="l", title="t", version="1", markdown="# A\n")
    assert served_digest(older) == lesson_digest("# A\n")
    assert served_digest(LessonRef(id="l", title="t", version="1")) == lesson_digest("")


def test_a_module_without_a_published_digest_gets_the_one_over_its_lessons() -> None:
    bare = module("core-aml", lessons=2)
    assert served_module_digest(bare) == module_digest([lesson_digest("")] * 2)
    assert served_module_digest(bare.model_copy(update={"digest": "a" * 64})) == "a" * 64


def test_markdown_keeps_headings_lists_links_emphasis_and_code() -> None:
    html = render(
        "# Placement\n\n## Layering\n\n- one *em* **strong**\n1. first\n\n"
        "See [the guidance](https://example.org/aml) and `code`.\n\n```\nblock\n```\n"
    )
    for kept in (
        "<h1>Placement</h1>",
        "<h2>Layering</h2>",
        "<ul>",
        "<ol>",
        "<em>em</em>",
        "<strong>strong</strong>",
        '<a href="https://example.org/aml" rel="noopener noreferrer">the guidance</a>',
        "<code>code</code>",
        "<pre><code>block\n</code></pre>",
    ):
        assert kept in html, kept


def test_scripts_event_handlers_and_javascript_links_are_stripped() -> None:
    html = render(
        "Intro\n\n<script>alert('x')</script>\n\n"
        '<p onclick="steal()" onmouseover="steal()">hover</p>\n\n'
        '<a href="javascript:alert(1)">raw link</a> [md link](javascript:alert(2))\n\n'
        '<img src="https://example.org/a.png" onerror="steal()">\n\n'
        '<style>body{display:none}</style><iframe src="https://evil.example"></iframe>\n'
    )
    lowered = html.lower()
    for gone in ("<script", "alert('x')", "onclick", "onmouseover", "onerror"):
        assert gone not in lowered, gone
    assert "href" not in lowered  # neither javascript: link stays a link
    for gone in ("<style", "display:none", "<iframe"):
        assert gone not in lowered, gone
    assert "<p>hover</p>" in html
    assert "raw link" in html
