"""Lesson and module digests: the published definitions, byte for byte."""

import hashlib

import pytest

from contracts.digests import lesson_digest, module_digest


def test_lesson_digest_is_sha256_of_the_utf8_markdown() -> None:
    markdown = "# Réglementation\n\nCuraçao’s FIU.\n"
    assert lesson_digest(markdown) == hashlib.sha256(markdown.encode("utf-8")).hexdigest()
    assert lesson_digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_lesson_digest_changes_with_any_byte_of_the_text() -> None:
    assert lesson_digest("# A\n\nBody.\n") != lesson_digest("# A\n\nBody.\n\n")


def test_module_digest_hashes_the_lesson_digests_one_per_line_in_order() -> None:
    first, second = lesson_digest("# One\n"), lesson_digest("# Two\n")
    expected = hashlib.sha256(f"{first}\n{second}".encode()).hexdigest()
    assert module_digest([first, second]) == expected
    assert module_digest(iter([first, second])) == expected
    assert module_digest([second, first]) != expected


def test_module_digest_of_one_lesson_has_no_trailing_newline() -> None:
    only = lesson_digest("# Only\n")
    assert module_digest([only]) == hashlib.sha256(only.encode()).hexdigest()


@pytest.mark.parametrize("bad", ["", "ABC", "a" * 63, "A" * 64, "a" * 64 + "\n" + "b" * 64])
def test_module_digest_refuses_what_is_not_a_lesson_digest(bad: str) -> None:
    with pytest.raises(ValueError, match="not a lesson digest"):
        module_digest([lesson_digest("# x\n"), bad])
