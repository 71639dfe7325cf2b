"""`academy catalogue publish|diff|versions` against a real database (in-process typer runner)."""

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from catalogue_it_kit import MGA_LESSON, append, copy_bundled, replace
from typer.testing import CliRunner, Result

from academy_testkit import postgres
from catalogue.cli import app as cli
from catalogue.settings import CatalogueSettings

pytestmark = pytest.mark.integration

Run = Callable[..., Result]


@pytest.fixture
def run(catalogue_settings: CatalogueSettings) -> Run:
    env = {
        "CATALOGUE_ENVIRONMENT": "test",
        "CATALOGUE_DATABASE_URL": catalogue_settings.database_url.get_secret_value(),
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), env=env)

    return invoke


def _published_twice(run: Run, tmp_path: Path) -> Path:
    root = copy_bundled(tmp_path)
    assert run("publish", str(root)).exit_code == 0
    append(root, MGA_LESSON, "Reports go to the FIAU through its online system.")
    assert run("publish", str(root)).exit_code == 0
    return root


def test_diff_between_two_publications_shows_changes_module_by_module(
    run: Run, tmp_path: Path
) -> None:
    _published_twice(run, tmp_path)

    result = run("diff", "#1", "#2")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("--- ")
    assert "(publication #1)" in lines[0]
    assert lines[1].startswith("+++ ")
    assert "(publication #2)" in lines[1]
    body = "\n".join(lines[2:])
    for key in ("MGA.compliance_officer", "MGA.mlro", "MGA.kyc_analyst"):
        assert f"~ track {key} changed" in body
    assert body.count("    ~ module mga-aml-cft changed") == 3
    assert "        lessons changed: mga-fiau-reporting-and-supervision" in body
    assert "GCB" not in body
    assert "MGA.customer_support" not in body


def test_diff_accepts_version_prefixes_and_relative_names_and_prints_json(
    run: Run, tmp_path: Path
) -> None:
    _published_twice(run, tmp_path)
    listing = run("versions").stdout.splitlines()
    first_version = listing[-1].split()[1]

    result = run("diff", first_version, "latest", "--json")

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["from"].endswith("(publication #1)")
    modules = {(c["track_key"], c["module_id"]) for c in body["changes"] if c["scope"] == "module"}
    assert modules == {
        (f"MGA.{role}", "mga-aml-cft") for role in ("compliance_officer", "mlro", "kyc_analyst")
    }
    assert run("diff", "previous").stdout == run("diff", "#1", "#2").stdout


def test_diff_against_a_directory_previews_a_publish_without_storing_it(
    run: Run, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    run("publish", str(root))
    replace(root, "jurisdictions/MGA/jurisdiction.yaml", "pass_mark: 80", "pass_mark: 85")

    preview = run("diff", "latest", str(root))

    assert preview.exit_code == 0, preview.output
    assert "not published" in preview.stdout.splitlines()[1]
    assert "    exam.pass_mark: 80 -> 85" in preview.stdout
    versions = run("versions").stdout.splitlines()
    assert len(versions) == 1
    assert versions[0].startswith("#1 ")


def test_diff_names_what_exists_when_a_reference_matches_nothing(run: Run, tmp_path: Path) -> None:
    _published_twice(run, tmp_path)

    missing = run("diff", "#7", "latest")
    garbled = run("diff", "yesterday", "latest")

    assert missing.exit_code == 1
    assert "publications run from #1 to #2" in missing.stderr
    assert garbled.exit_code == 1
    assert "'latest~N'" in garbled.stderr


def test_publishing_the_same_content_again_says_nothing_was_published(
    run: Run, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    first = run("publish", str(root))
    again = run("publish", str(root))

    assert first.exit_code == 0, first.output
    assert "as publication #1" in first.stdout
    assert "24 event(s) staged in the outbox" in first.stdout
    assert again.exit_code == 0
    assert "already the latest published version (publication #1)" in again.stdout


def test_publishing_invalid_content_exits_1_naming_the_problem_and_stores_nothing(
    run: Run, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    replace(root, "jurisdictions/MGA/jurisdiction.yaml", "pass_mark: 80", "pass_mark: 180")

    result = run("publish", str(root))

    assert result.exit_code == 1
    assert "jurisdictions/MGA/jurisdiction.yaml:" in result.stderr
    assert "pass_mark must be 0..100" in result.stderr
    assert "nothing published yet" in run("versions").stdout


def test_publishing_to_an_unmigrated_database_says_to_migrate(
    pg_server: str, tmp_path: Path
) -> None:
    name = f"catalogue_bare_{uuid.uuid4().hex[:8]}"
    url = postgres.create_database(pg_server, name)
    try:
        env = {"CATALOGUE_ENVIRONMENT": "test", "CATALOGUE_DATABASE_URL": url}
        result = CliRunner().invoke(cli, ["publish", str(copy_bundled(tmp_path))], env=env)
    finally:
        postgres.drop_database(pg_server, name)

    assert result.exit_code == 2
    assert "run `academy catalogue migrate` first" in result.stderr
