"""How a jurisdiction's overrides and track settings shape its resolved tracks."""

from pathlib import Path

from catalogue_builders import minimal_content, resolved, write

OTHER = """\
code: OTH
name: Otherland
regulator: Other Authority
exam:
  question_count: 2
  pass_mark: 70
  time_limit_minutes: 20
  attempt_limit: 2
  cooldown_hours: 12
  feedback: none
tracks:
  - role: compliance_officer
    modules: [core-a]
release_policy:
  requirements:
    - role: compliance_officer
  tooling: [tst-suite]
"""


def _with_overrides(tmp_path: Path, overrides: str) -> Path:
    root = minimal_content(tmp_path)
    write(root, "jurisdictions/OTH/jurisdiction.yaml", OTHER)
    write(root, "jurisdictions/TST/overrides.yaml", overrides)
    return root


def test_amend_appends_markdown_to_the_core_lesson(tmp_path: Path) -> None:
    root = _with_overrides(
        tmp_path,
        """
        lessons:
          - id: ca-l1
            action: amend
            markdown: |
              ## In Testland

              Local rule.
    """,
    )
    lesson = resolved(root).track("TST", "compliance_officer").modules[0].lessons[0]
    assert lesson.title == "Lesson ca-l1"
    assert lesson.body == "# ca-l1\n\nBody of ca-l1.\n\n## In Testland\n\nLocal rule.\n"


def test_replace_swaps_the_whole_lesson_from_a_file(tmp_path: Path) -> None:
    root = _with_overrides(
        tmp_path,
        """
        lessons:
          - id: ca-l2
            action: replace
            title: Testland lesson
            file: overrides/ca-l2.md
    """,
    )
    write(root, "jurisdictions/TST/overrides/ca-l2.md", "# Testland only\n")
    lesson = resolved(root).track("TST", "compliance_officer").modules[0].lessons[1]
    assert (lesson.id, lesson.title, lesson.body) == (
        "ca-l2",
        "Testland lesson",
        "# Testland only\n",
    )


def test_question_overrides_replace_patch_and_remove(tmp_path: Path) -> None:
    root = _with_overrides(
        tmp_path,
        """
        questions:
          - id: ca-q1
            action: replace
            question:
              kind: multiple
              text: Which apply in Testland?
              options: {a: One, b: Two, c: Three}
              correct: [a, c]
              explanation: One and three.
          - id: ca-q2
            action: amend
            set:
              explanation: Patched explanation.
          - id: ca-q3
            action: remove
    """,
    )
    pool = {q.id: q for q in resolved(root).track("TST", "compliance_officer").question_pool}
    assert sorted(pool) == ["ca-q1", "ca-q2", "ca-q4", "tl-q1", "tl-q2"]
    assert (pool["ca-q1"].kind, pool["ca-q1"].correct) == ("multiple", ("a", "c"))
    assert pool["ca-q1"].module_id == "core-a"
    assert pool["ca-q2"].explanation == "Patched explanation."
    assert pool["ca-q2"].text == "Question ca-q2?"


def test_overrides_do_not_leak_into_other_jurisdictions(tmp_path: Path) -> None:
    root = _with_overrides(
        tmp_path,
        """
        questions:
          - id: ca-q3
            action: remove
    """,
    )
    catalogue = resolved(root)
    tst = catalogue.track("TST", "compliance_officer").modules[0]
    oth = catalogue.track("OTH", "compliance_officer").modules[0]
    assert [q.id for q in oth.questions] == ["ca-q1", "ca-q2", "ca-q3", "ca-q4"]
    assert tst.version != oth.version


def test_modules_follow_the_order_written_in_the_track(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / "jurisdictions/TST/jurisdiction.yaml"
    path.write_text(path.read_text().replace("[core-a, tst-local]", "[tst-local, core-a]"))
    track = resolved(root).track("TST", "compliance_officer")
    assert [m.id for m in track.modules] == ["tst-local", "core-a"]
    assert [m.origin for m in track.modules] == ["jurisdiction", "core"]


def test_track_exam_settings_refine_the_jurisdiction_default(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / "jurisdictions/TST/jurisdiction.yaml"
    path.write_text(
        path.read_text().replace(
            "    modules: [core-a, tst-local]\n",
            "    modules: [core-a, tst-local]\n"
            "    exam:\n      question_count: 2\n      pass_mark: 90\n",
        )
    )
    exam = resolved(root).track("TST", "compliance_officer").exam
    assert (exam.question_count, exam.pass_mark, exam.time_limit_minutes) == (2, 90, 30)


def test_certification_defaults_to_18_months_and_60_days(tmp_path: Path) -> None:
    certification = (
        resolved(minimal_content(tmp_path)).track("TST", "compliance_officer").certification
    )
    assert (certification.validity_months, certification.recert_window_days) == (18, 60)


def test_track_title_defaults_to_jurisdiction_and_role(tmp_path: Path) -> None:
    track = resolved(minimal_content(tmp_path)).track("TST", "compliance_officer")
    assert track.title == "Testland: Compliance officer"
    assert track.key == "TST.compliance_officer"
