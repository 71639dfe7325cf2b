"""`academy`: light commands load no service, defaults follow the base port, errors say why."""

import json
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from fake_http import fake_api
from typer.testing import CliRunner

from academy.cli import app
from academy_testkit.issuer import DevIssuer, create_app
from academy_testkit.ports import free_port
from academy_testkit.server import ServerThread

runner = CliRunner()

#: What a command that only talks HTTP must not import (each costs seconds at start-up).
HEAVY = (
    "fastapi",
    "sqlalchemy",
    "faststream",
    "catalogue.app",
    "assessment.app",
    "release_bridge.app",
    "audit_export.app",
)
PROBE = """
import json, sys
from typer.testing import CliRunner
from academy.cli import app
result = CliRunner().invoke(app, json.loads(sys.argv[1]))
loaded = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
print(json.dumps({"exit_code": result.exit_code, "output": result.output, "loaded": loaded}))
"""


@pytest.fixture(autouse=True)
def _base_port_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """`academy --base-port` sets ACADEMY_BASE_PORT for the process; undo it after each test."""
    monkeypatch.delenv("ACADEMY_BASE_PORT", raising=False)


@pytest.mark.parametrize(
    "argv",
    [
        ["token", "--issuer", "{url}", "--sub", "a", "--operator-id", "op", "--role", "mlro"],
        ["--help"],
        ["release", "breaker", "status", "--token", "t", "--url", "{url}"],
        [
            "release",
            "force-release",
            "op-1",
            "MGA",
            "--reason",
            "r",
            "--token",
            "t",
            "--url",
            "{url}",
        ],
    ],
    ids=["token", "help", "breaker-status", "force-release"],
)
def test_http_only_commands_import_no_service(argv: list[str]) -> None:
    with fake_api(200, {"access_token": "tkn", "release_id": "rel-1"}) as api:
        args = [arg.replace("{url}", api.url) for arg in argv]
        done = subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["exit_code"] == 0, report["output"]
    assert report["loaded"] == []


def test_token_mints_from_the_issuer_at_the_base_port() -> None:
    with ServerThread(create_app(DevIssuer("http://127.0.0.1"))) as url:
        port = int(url.rsplit(":", 1)[1])
        result = runner.invoke(
            app, ["--base-port", str(port), "token", "--sub", "alice", "--operator-id", "op-7"]
        )

    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), options={"verify_signature": False})
    assert (claims["sub"], claims["operator_id"], claims["groups"]) == (
        "alice",
        "op-7",
        ["compliance_officer"],
    )


def test_token_prints_every_problem_the_issuer_listed() -> None:
    refusal = {
        "error": "invalid_request",
        "detail": "fix the listed fields: ttl_s, groups",
        "problems": [
            {"field": "ttl_s", "problem": "Input should be less than 604800"},
            {"field": "groups", "problem": "Input should be a valid list"},
        ],
    }
    with fake_api(422, refusal) as api:
        result = runner.invoke(app, ["token", "--issuer", api.url])

    assert result.exit_code == 1
    assert "HTTP 422 invalid_request: fix the listed fields: ttl_s, groups" in result.output
    assert "  ttl_s: Input should be less than 604800" in result.output
    assert "  groups: Input should be a valid list" in result.output


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--operator-id", "op with space"], "--operator-id"),
        (["--sub", "alice smith"], "--sub"),
        (["--role", "Compliance Officer"], "--role"),
    ],
)
def test_token_with_a_bad_identifier_exits_2_before_calling_the_issuer(
    args: list[str], named: str
) -> None:
    with fake_api(200, {"access_token": "tkn"}) as api:
        result = runner.invoke(app, ["token", "--issuer", api.url, *args])

    assert result.exit_code == 2
    assert f"Invalid value for '{named}'" in result.output
    assert api.requests == []


def test_token_says_where_it_looked_when_no_issuer_answers() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"

    result = runner.invoke(app, ["token", "--issuer", nowhere])

    assert result.exit_code == 2
    assert f"cannot reach the development issuer at {nowhere}" in result.output


def test_service_groups_run_through_academy_with_their_own_help() -> None:
    listed = runner.invoke(app, ["release", "--help"])
    with fake_api(200, [{"endpoint": "portal", "status": "closed"}]) as api:
        status = runner.invoke(
            app, ["release", "breaker", "status", "--token", "t", "--url", api.url]
        )

    assert listed.exit_code == 0, listed.output
    assert "force-release" in listed.output
    assert status.exit_code == 0, status.output
    assert status.output.split() == ["endpoint", "status", "portal", "closed"]


AUDIT_PROBE = """
import json, sys
from typer.testing import CliRunner
from academy.cli import app
out = sys.argv[1]
sample = CliRunner().invoke(app, ["audit", "sample", out])
pack = out + "/auditpack-op-aurora-gaming-2026-11-24.zip"
verify = CliRunner().invoke(app, ["audit", "verify", pack])
loaded = sorted(name for name in sys.modules if name.split(".")[0] == "audit_export")
print(json.dumps({"outputs": [sample.output, verify.output],
                  "exit_codes": [sample.exit_code, verify.exit_code], "loaded": loaded}))
"""


def test_audit_verify_and_sample_run_the_format_library_without_the_service(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", AUDIT_PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["exit_codes"] == [0, 0], report["outputs"]
    assert " audit verify " in report["outputs"][0]  # the command path it was run as
    assert report["outputs"][1].startswith("OK auditpack-op-aurora-gaming-2026-11-24.zip")
    assert report["loaded"] == []


def test_audit_help_lists_the_format_commands_beside_the_service_ones() -> None:
    listed = runner.invoke(app, ["audit", "--help"])

    assert listed.exit_code == 0, listed.output
    for command in ("verify", "sample", "export", "public-keys", "run-exports"):
        assert command in listed.output


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("supersecret", "must start with 'whsec_'"),
        ("whsec_not*base64!", "not valid base64"),
        ("whsec_c2hvcnQ=", "must decode to"),
    ],
)
def test_up_refuses_a_portal_secret_that_is_not_a_whsec_key(secret: str, why: str) -> None:
    result = runner.invoke(
        app, ["up", "--portal-url", "https://portal.example/hooks", "--portal-secret", secret]
    )

    assert result.exit_code == 2
    assert "--portal-secret" in result.output
    assert why in result.output


def test_up_wants_the_portal_url_and_secret_together() -> None:
    secret = "whsec_ZGV2LW9ubHktcG9ydGFsLXNlY3JldC0wMDAwMDAwMA=="

    no_url = runner.invoke(app, ["up", "--portal-secret", secret])
    bad_url = runner.invoke(
        app, ["up", "--portal-url", "portal.example", "--portal-secret", secret]
    )

    assert no_url.exit_code == 2
    assert "--portal-url" in no_url.output
    assert bad_url.exit_code == 2
    assert "not an http(s) URL" in bad_url.output
