"""One test per validation rule: bad content never gets through, and says where it is wrong."""

from pathlib import Path

import pytest
from catalogue_builders import (
    JURISDICTION_YAML,
    add_module,
    append,
    errors_of,
    line_of,
    minimal_content,
    problems,
    write,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.domain.content import resolve
from catalogue.domain.errors import ContentInvalid

JURISDICTION = "jurisdictions/TST/jurisdiction.yaml"
CORE_QUESTIONS = "core/modules/core-a/questions.yaml"


def test_minimal_content_is_valid(tmp_path: Path) -> None:
    assert errors_of(minimal_content(tmp_path)) == []


def test_invalid_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    write(root, "core/modules/core-a/module.yaml", "id: core-a\ntitle: [unclosed\nversion: 1.0.0\n")
    [error] = errors_of(root)
    assert error.startswith("core/modules/core-a/module.yaml:3: invalid YAML")


def test_missing_required_field_is_reported(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("regulator: Test Gaming Authority\n", ""))
    assert errors_of(root) == [f"{JURISDICTION}:1: regulator is required"]


def test_unknown_field_is_reported_as_a_typo(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("pass_mark: 80", "pas_mark: 80"))
    errors = errors_of(root)
    line = line_of(path, "pas_mark")
    assert f"{JURISDICTION}:{line}: exam.pas_mark is not a known field" in errors
    assert f"{JURISDICTION}:{line - 2}: exam.pass_mark is required" in errors


def test_pass_mark_outside_0_to_100_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("pass_mark: 80", "pass_mark: 120"))
    assert errors_of(root) == [
        f"{JURISDICTION}:{line_of(path, 'pass_mark')}: exam.pass_mark must be 0..100, got 120"
    ]


def test_duplicate_question_ids_across_modules_are_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    add_module(root, "core/modules", "core-b", lessons=["cb-l1"], questions=["ca-q1"])
    [error] = errors_of(root)
    assert error.startswith("core/modules/core-b/questions.yaml:2: duplicate question id 'ca-q1'")
    assert f"first defined at {CORE_QUESTIONS}:2" in error


def test_duplicate_module_ids_are_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    add_module(root, "jurisdictions/TST/modules", "core-a", lessons=["x-l1"], questions=["x-q1"])
    assert any("duplicate module id 'core-a'" in e for e in errors_of(root))


def test_duplicate_yaml_keys_are_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    append(root / JURISDICTION, "name: Testland again\n")
    path = root / JURISDICTION
    assert errors_of(root) == [f"{JURISDICTION}:{line_of(path, 'name:', 2)}: duplicate key 'name'"]


def test_question_without_correct_answer_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / CORE_QUESTIONS
    path.write_text(path.read_text().replace("    correct: a\n", "", 1))
    assert errors_of(root) == [f"{CORE_QUESTIONS}:2: questions[0] has no correct answer"]


def test_correct_answer_must_be_one_of_the_options(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / CORE_QUESTIONS
    path.write_text(path.read_text().replace("correct: a", "correct: c", 1))
    assert errors_of(root) == [
        f"{CORE_QUESTIONS}:2: questions[0] correct answer 'c' is not one of its options (a, b)"
    ]


def test_single_choice_question_with_two_correct_answers_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / CORE_QUESTIONS
    path.write_text(path.read_text().replace("correct: a", "correct: [a, b]", 1))
    assert errors_of(root) == [
        f"{CORE_QUESTIONS}:2: questions[0] is single-choice but lists 2 correct answers"
    ]


def test_exam_asking_for_more_questions_than_its_pool_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("question_count: 4", "question_count: 7"))
    assert errors_of(root) == [
        f"{JURISDICTION}:{line_of(path, 'question_count')}: exam for TST.compliance_officer "
        "asks for 7 questions but its pool has only 6"
    ]


def test_pool_is_counted_after_questions_are_removed(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("question_count: 4", "question_count: 6"))
    write(
        root,
        "jurisdictions/TST/overrides.yaml",
        """
        questions:
          - id: ca-q1
            action: remove
    """,
    )
    assert errors_of(root) == [
        f"{JURISDICTION}:{line_of(path, 'question_count')}: exam for TST.compliance_officer "
        "asks for 6 questions but its pool has only 5"
    ]


def test_override_of_unknown_lesson_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    write(
        root,
        "jurisdictions/TST/overrides.yaml",
        """
        lessons:
          - id: no-such-lesson
            action: amend
            markdown: "## Extra"
    """,
    )
    assert errors_of(root) == [
        "jurisdictions/TST/overrides.yaml:2: override of unknown lesson 'no-such-lesson' "
        "(not in the core modules)"
    ]


def test_override_of_unknown_question_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    write(
        root,
        "jurisdictions/TST/overrides.yaml",
        """
        questions:
          - id: tl-q1
            action: remove
    """,
    )
    assert errors_of(root) == [
        "jurisdictions/TST/overrides.yaml:2: override of unknown question 'tl-q1' "
        "(not in the core modules)"
    ]


def test_amendment_that_breaks_a_question_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    write(
        root,
        "jurisdictions/TST/overrides.yaml",
        """
        questions:
          - id: ca-q2
            action: amend
            set:
              options: {x: One, y: Two}
    """,
    )
    assert errors_of(root) == [
        "jurisdictions/TST/overrides.yaml:2: amended question 'ca-q2' correct answer 'a' is "
        "not one of its options (x, y)"
    ]


def test_unknown_role_in_a_track_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(
        path.read_text().replace(
            "  - role: compliance_officer\n    modules", "  - role: croupier\n    modules"
        )
    )
    assert (
        f"{JURISDICTION}:{line_of(path, 'croupier')}: unknown role 'croupier' "
        "(not in catalogue.yaml roles)" in errors_of(root)
    )


def test_unknown_tooling_in_release_policy_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("tooling: [tst-suite]", "tooling: [tst-sweet]"))
    assert errors_of(root) == [
        f"{JURISDICTION}:{line_of(path, 'tst-sweet')}: unknown tooling 'tst-sweet' "
        "(not in catalogue.yaml tooling)"
    ]


def test_release_policy_role_without_a_track_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(
        path.read_text().replace("      count: 1\n", "      count: 1\n    - role: mlro\n")
    )
    assert errors_of(root) == [
        f"{JURISDICTION}:{line_of(path, 'role: mlro')}: release policy requires role 'mlro' "
        "but TST has no track for it, so the policy could never be met"
    ]


def test_unknown_module_in_a_track_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("[core-a, tst-local]", "[core-a, tst-locale]"))
    errors = errors_of(root)
    assert f"{JURISDICTION}:{line_of(path, 'tst-locale')}: unknown module 'tst-locale'" in errors


def test_track_cannot_use_another_jurisdictions_module(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    write(
        root,
        "jurisdictions/OTH/jurisdiction.yaml",
        JURISDICTION_YAML.replace("code: TST", "code: OTH").replace("tst-local", "tst-local"),
    )
    errors = errors_of(root)
    assert any("module 'tst-local' belongs to jurisdiction TST" in e for e in errors)


def test_jurisdiction_code_must_match_its_folder(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("code: TST", "code: TSX"))
    assert f"{JURISDICTION}:1: code 'TSX' must match its folder name 'TST'" in errors_of(root)


def test_missing_lesson_file_is_reported_at_its_reference(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    (root / "core/modules/core-a/lessons/ca-l2.md").unlink()
    path = root / "core/modules/core-a/module.yaml"
    assert errors_of(root) == [
        f"core/modules/core-a/module.yaml:{line_of(path, 'ca-l2.md')}: lessons[1].file names a "
        "missing file: core/modules/core-a/lessons/ca-l2.md"
    ]


def test_lesson_file_outside_the_content_directory_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path / "content")
    (tmp_path / "secret.md").write_text("# not content\n")
    path = root / "core/modules/core-a/module.yaml"
    path.write_text(path.read_text().replace("lessons/ca-l2.md", "../../../../secret.md"))
    [error] = errors_of(root)
    assert "must stay inside the content directory" in error


def test_unquoted_numeric_version_is_rejected(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / "core/modules/core-a/module.yaml"
    path.write_text(path.read_text().replace("version: 1.0.0", "version: 1.0"))
    assert errors_of(root) == [
        'core/modules/core-a/module.yaml:2: version must be quoted text such as "1.0.0", got 1.0'
    ]


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    jurisdiction = root / JURISDICTION
    jurisdiction.write_text(jurisdiction.read_text().replace("pass_mark: 80", "pass_mark: -1"))
    questions = root / CORE_QUESTIONS
    questions.write_text(questions.read_text().replace("correct: a", "correct: z", 1))
    write(root, "jurisdictions/TST/overrides.yaml", "lessons: [\n")
    errors = errors_of(root)
    assert len(errors) == 3
    assert [e.split(":")[0] for e in errors] == [
        CORE_QUESTIONS,
        JURISDICTION,
        "jurisdictions/TST/overrides.yaml",
    ]


def test_resolve_refuses_invalid_content_with_every_problem(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / JURISDICTION
    path.write_text(path.read_text().replace("pass_mark: 80", "pass_mark: 101"))
    with pytest.raises(ContentInvalid) as raised:
        resolve(root)
    assert [str(e) for e in raised.value.errors] == errors_of(root)
    assert "pass_mark must be 0..100, got 101" in str(raised.value)


def test_missing_content_directory_is_an_error_not_a_crash(tmp_path: Path) -> None:
    assert errors_of(tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}: content directory not found"
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_arbitrary_module_text_is_reported_never_raised(tmp_path: Path, text: str) -> None:
    root = minimal_content(tmp_path / "fuzz")
    (root / "core/modules/core-a/module.yaml").write_text(text, encoding="utf-8")
    errors = problems(root)
    assert errors, "a module.yaml that is not the original must be reported"
    assert all(error.path for error in errors)


def test_unprintable_characters_are_reported_with_their_line(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    write(root, "core/modules/core-a/module.yaml", "id: core-a\ntitle: bell \x07\n")
    assert errors_of(root) == [
        "core/modules/core-a/module.yaml:2: invalid YAML: unprintable character U+0007"
    ]
