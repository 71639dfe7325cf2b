"""`academy catalogue validate`: exit codes and what it prints."""

from pathlib import Path

from catalogue_builders import minimal_content
from typer.testing import CliRunner

from catalogue.cli import app

runner = CliRunner()


def test_validate_bundled_content_exits_0_with_a_summary() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.stderr
    assert "4 jurisdictions, 16 tracks" in result.stdout
    assert "MGA.compliance_officer" in result.stdout


def test_validate_given_directory_exits_0_when_valid(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(minimal_content(tmp_path))])
    assert result.exit_code == 0
    assert "1 jurisdictions, 1 tracks" in result.stdout


def test_validate_exits_1_with_one_line_per_problem_on_stderr(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    path = root / "jurisdictions/TST/jurisdiction.yaml"
    path.write_text(
        path.read_text()
        .replace("pass_mark: 80", "pass_mark: 120")
        .replace("tooling: [tst-suite]", "tooling: [nope]")
    )
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert (
        lines[0] == "jurisdictions/TST/jurisdiction.yaml:6: exam.pass_mark must be 0..100, got 120"
    )
    assert lines[1].startswith("jurisdictions/TST/jurisdiction.yaml:18: unknown tooling 'nope'")
    assert lines[2] == f"2 problems in {root}"
    assert result.stdout == ""
