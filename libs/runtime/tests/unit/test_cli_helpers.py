"""The CLI's shared pieces: API refusals in full, identifier arguments, local URLs, tables."""

from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from academy_runtime.cli import (
    api_error_lines,
    fields_text,
    human_text,
    identifier,
    local_url,
    table_text,
)
from contracts import identifiers

runner = CliRunner()


def test_a_422_is_summarised_then_every_field_and_problem_is_listed() -> None:
    body = {
        "error": "invalid_request",
        "detail": "fix the listed fields: reason, path.operator_id",
        "problems": [
            {"field": "reason", "problem": "Field required"},
            {"field": "path.operator_id", "problem": "String should match pattern"},
        ],
    }

    assert api_error_lines(422, body) == [
        "HTTP 422 invalid_request: fix the listed fields: reason, path.operator_id",
        "  reason: Field required",
        "  path.operator_id: String should match pattern",
    ]


def test_an_auth_refusal_shows_its_reason_and_claim() -> None:
    body = {
        "error": "unauthorized",
        "reason": "invalid_claim",
        "detail": "operator_id is not an operator id",
        "claim": "operator_id",
    }

    assert api_error_lines(401, body) == [
        "HTTP 401 unauthorized: operator_id is not an operator id",
        "  reason: invalid_claim",
        "  claim: operator_id",
    ]


def test_a_nested_detail_is_flattened_and_lists_are_names() -> None:
    body = {
        "error": "conflict",
        "detail": {"error": "conflict", "reason": "outside_go_live", "detail": "not MGA"},
        "go_live": ["GCB", "GSC"],
        "did_you_mean": [],
    }

    assert api_error_lines(409, body) == [
        "HTTP 409 conflict: not MGA",
        "  go_live: GCB, GSC",
        "  reason: outside_go_live",
    ]


def test_fastapis_own_422_lists_its_locations() -> None:
    body = {"detail": [{"loc": ["body", "ttl_s"], "msg": "Input should be less than 604800"}]}

    assert api_error_lines(422, body) == [
        "HTTP 422: invalid request",
        "  ttl_s: Input should be less than 604800",
    ]


def test_a_body_that_is_not_json_is_shown_as_text() -> None:
    assert api_error_lines(502, "Bad gateway\n") == ["HTTP 502: Bad gateway"]
    assert api_error_lines(500, "") == ["HTTP 500: (empty body)"]


def _echo_app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def show(
        operator_id: Annotated[str, typer.Argument(callback=identifier(identifiers.OPERATOR))],
        jurisdiction: Annotated[
            str,
            typer.Option(callback=identifier(identifiers.JURISDICTION, normalize=str.upper)),
        ] = "MGA",
    ) -> None:
        typer.echo(f"{operator_id} {jurisdiction}")

    return app


def test_an_identifier_argument_that_does_not_match_exits_2_naming_the_argument() -> None:
    result = runner.invoke(_echo_app(), ["op with space"])

    assert result.exit_code == 2
    assert "operator_id" in result.output
    assert "not a valid operator id" in result.output


def test_a_normalised_identifier_reaches_the_command_normalised() -> None:
    result = runner.invoke(_echo_app(), ["op-1", "--jurisdiction", "mga"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "op-1 MGA"


def test_local_urls_follow_the_base_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACADEMY_BASE_PORT", raising=False)
    assert local_url("release-bridge") == "http://127.0.0.1:8103"

    monkeypatch.setenv("ACADEMY_BASE_PORT", "9200")
    assert local_url("issuer") == "http://127.0.0.1:9200"
    assert local_url("audit-export") == "http://127.0.0.1:9204"


def test_a_base_port_that_is_not_a_port_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACADEMY_BASE_PORT", "81OO")

    with pytest.raises(typer.BadParameter, match="ACADEMY_BASE_PORT"):
        local_url("issuer")


def test_records_print_as_aligned_fields_and_lists_as_tables() -> None:
    assert fields_text({"release_id": "r-1", "actor": "sam", "tooling": ["kyc", "aml"]}) == (
        "release_id  r-1\nactor       sam\ntooling     kyc, aml"
    )
    assert table_text([{"endpoint": "portal", "status": "open"}, {"endpoint": "eu"}]) == (
        "endpoint  status\nportal    open\neu        -"
    )
    assert human_text([]) == "(none)"
