"""Builders that write small content directories to tmp_path (plain functions, no fixtures)."""

import shutil
import textwrap
from pathlib import Path

from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import inspect
from catalogue.domain.errors import ContentErrors
from catalogue.domain.resolved import ResolvedCatalogue

CATALOGUE_YAML = """\
id: test-catalogue
title: Test catalogue
notice: Illustrative training content for tests.
roles:
  - id: compliance_officer
    title: Compliance officer
  - id: mlro
    title: MLRO
tooling:
  - id: tst-suite
    title: Test suite
"""

JURISDICTION_YAML = """\
code: TST
name: Testland
regulator: Test Gaming Authority
exam:
  question_count: 4
  pass_mark: 80
  time_limit_minutes: 30
  attempt_limit: 3
  cooldown_hours: 24
  feedback: score
tracks:
  - role: compliance_officer
    modules: [core-a, tst-local]
release_policy:
  requirements:
    - role: compliance_officer
      count: 1
  tooling: [tst-suite]
"""


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def module_yaml(module_id: str, lessons: list[str], *, version: str = "1.0.0") -> str:
    entries = "".join(
        f"  - id: {lesson}\n    title: Lesson {lesson}\n    file: lessons/{lesson}.md\n"
        for lesson in lessons
    )
    return (
        f"id: {module_id}\nversion: {version}\ntitle: Module {module_id}\n"
        f"lessons:\n{entries}questions: questions.yaml\n"
    )


def questions_yaml(ids: list[str]) -> str:
    return "questions:\n" + "".join(
        f"  - id: {qid}\n"
        f"    text: Question {qid}?\n"
        f"    options:\n      a: Right\n      b: Wrong\n"
        f"    correct: a\n"
        f"    explanation: Because a is right.\n"
        for qid in ids
    )


def add_module(
    root: Path, folder: str, module_id: str, *, lessons: list[str], questions: list[str]
) -> None:
    write(root, f"{folder}/{module_id}/module.yaml", module_yaml(module_id, lessons))
    for lesson in lessons:
        write(
            root, f"{folder}/{module_id}/lessons/{lesson}.md", f"# {lesson}\n\nBody of {lesson}.\n"
        )
    write(root, f"{folder}/{module_id}/questions.yaml", questions_yaml(questions))


def minimal_content(root: Path) -> Path:
    """A valid catalogue: one core module, one jurisdiction TST with one local module."""
    write(root, "catalogue.yaml", CATALOGUE_YAML)
    add_module(
        root,
        "core/modules",
        "core-a",
        lessons=["ca-l1", "ca-l2"],
        questions=["ca-q1", "ca-q2", "ca-q3", "ca-q4"],
    )
    write(root, "jurisdictions/TST/jurisdiction.yaml", JURISDICTION_YAML)
    add_module(
        root,
        "jurisdictions/TST/modules",
        "tst-local",
        lessons=["tl-l1"],
        questions=["tl-q1", "tl-q2"],
    )
    return root


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def errors_of(root: Path) -> list[str]:
    return [str(error) for error in inspect(root)[1]]


def problems(root: Path) -> ContentErrors:
    return inspect(root)[1]


def copy_bundled(tmp_path: Path) -> Path:
    """The real content, copied so a test can edit it."""
    target = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, target)
    return target


def resolved(root: Path) -> ResolvedCatalogue:
    catalogue, errors = inspect(root)
    assert not errors, errors.render()
    return catalogue


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
