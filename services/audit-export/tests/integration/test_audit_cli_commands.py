"""`academy audit export` and `academy audit public-keys` against the service's database."""

import asyncio
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from audit_export_harness import (
    FakeClock,
    Harness,
    envelope,
    lesson,
    new_operator,
    signing_keys_json,
)
from typer.testing import CliRunner

from audit_export.app import create
from audit_export.cli import app
from audit_export.settings import AuditExportSettings

pytestmark = pytest.mark.integration
runner = CliRunner()


def _env(database_url: str, key_file: Path) -> dict[str, str]:
    return {
        "AUDIT_EXPORT_ENVIRONMENT": "test",
        "AUDIT_EXPORT_DATABASE_URL": database_url,
        "AUDIT_EXPORT_SIGNING_KEYS": signing_keys_json(key_file),
    }


def _log_two_days(database_url: str, key_file: Path, operator: str) -> None:
    """Events yesterday and the day before (the CLI runs on the real clock)."""
    yesterday = datetime.now(UTC).replace(hour=10, minute=0) - timedelta(days=1)

    async def setup() -> None:
        settings = AuditExportSettings(
            environment="test", database_url=database_url, signing_keys=signing_keys_json(key_file)
        )
        clock = FakeClock(yesterday - timedelta(days=1))
        app_, runtime = create(settings, clock=clock, scheduler=False)
        harness = Harness(app=app_, runtime=runtime, clock=clock)
        await harness.ingest(envelope(operator, lesson(clock.now)))
        await harness.ingest(envelope(operator, lesson(yesterday)), at_time=yesterday)
        await runtime.engine.dispose()

    asyncio.run(setup())


def test_export_writes_an_inspection_bundle_and_records_who_asked(
    database_url: str, signing_key_file: Path, tmp_path: Path
) -> None:
    operator = new_operator()
    _log_two_days(database_url, signing_key_file, operator)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    out = tmp_path / "bundle.zip"

    result = runner.invoke(
        app,
        [
            "export",
            operator,
            "--jurisdiction",
            "mga",
            "--from",
            (yesterday - timedelta(days=1)).isoformat(),
            "--to",
            yesterday.isoformat(),
            "--reason",
            "MGA inspection",
            "--out",
            str(out),
        ],
        env=_env(database_url, signing_key_file),
    )

    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    names = zipfile.ZipFile(out).namelist()
    assert sum(n.startswith("packs/") for n in names) == 2
    assert "training-records-MGA.csv" in names


def test_export_of_a_day_that_has_not_ended_fails_with_a_message(
    database_url: str, signing_key_file: Path
) -> None:
    today = datetime.now(UTC).date().isoformat()
    result = runner.invoke(
        app,
        ["export", "op-x", "-j", "MGA", "--from", today, "--to", today, "--reason", "test"],
        env=_env(database_url, signing_key_file),
    )
    assert result.exit_code == 1
    assert "has ended" in result.output


def test_public_keys_prints_the_configured_keys_for_inspectors(
    database_url: str, signing_key_file: Path
) -> None:
    result = runner.invoke(app, ["public-keys"], env=_env(database_url, signing_key_file))
    assert result.exit_code == 0, result.output
    [key] = json.loads(result.output)["keys"]
    assert (key["key_id"], key["alg"]) == ("test-2031", "Ed25519")
