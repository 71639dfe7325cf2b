"""`academy release …` support commands send the right requests and report API errors."""

import json

import httpx
import pytest
from typer.testing import CliRunner

from release_bridge.cli import app
from release_bridge.entrypoints import support_cli

runner = CliRunner()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Requests the CLI makes; the fake bridge answers 200 (or 409 for webhook id 'done')."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if "/deliveries/done/" in request.url.path:
            return httpx.Response(409, json={"error": "conflict", "detail": "already delivered"})
        return httpx.Response(200, json={"ok": True})

    def client(url: str, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            transport=httpx.MockTransport(answer),
        )

    monkeypatch.setattr(support_cli, "http_client", client)
    return requests


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--token", "tkn", "--url", "http://bridge:8103"])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "method", "path", "body"),
    [
        (
            ["force-release", "op-1", "MGA", "--reason", "go-live"],
            "POST",
            "/v1/support/releases",
            {"operator_id": "op-1", "jurisdiction": "MGA", "reason": "go-live"},
        ),
        (
            ["redeliver", "rel-1", "--reason", "portal fixed"],
            "POST",
            "/v1/support/deliveries/rel-1/redeliver",
            {"reason": "portal fixed"},
        ),
        (
            ["breaker", "reset", "--reason", "secret fixed"],
            "POST",
            "/v1/support/breakers/portal/reset",
            {"reason": "secret fixed"},
        ),
        (
            ["breaker", "force-open", "--endpoint", "eu", "--reason", "maintenance"],
            "POST",
            "/v1/support/breakers/eu/force-open",
            {"reason": "maintenance"},
        ),
        (
            [
                "replay",
                "--since",
                "2026-11-24T10:00:00Z",
                "--until",
                "2026-11-24T11:00",
                "--reason",
                "portal restored",
            ],
            "POST",
            "/v1/support/replays",
            {
                "since": "2026-11-24T10:00:00+00:00",
                "until": "2026-11-24T11:00:00+00:00",
                "operator_id": None,
                "reason": "portal restored",
            },
        ),
        (["breaker", "status"], "GET", "/v1/support/breakers", None),
    ],
)
def test_command_calls_the_support_api_with_the_bearer_token(
    sent: list[httpx.Request], args: list[str], method: str, path: str, body: object
) -> None:
    code, output = _run(*args)

    assert code == 0, output
    [request] = sent
    assert (request.method, request.url.path) == (method, path)
    assert request.headers["authorization"] == "Bearer tkn"
    assert (json.loads(request.content) if request.content else None) == body


def test_api_refusal_exits_non_zero_with_its_detail(sent: list[httpx.Request]) -> None:
    code, output = _run("redeliver", "done", "--reason", "again")

    assert code == 1
    assert "HTTP 409" in output
    assert "already delivered" in output


def test_missing_token_is_refused_before_any_request(sent: list[httpx.Request]) -> None:
    result = runner.invoke(app, ["breaker", "status"], env={"ACADEMY_TOKEN": ""})

    assert result.exit_code == 2
    assert "ACADEMY_TOKEN" in result.output
    assert sent == []


def test_reason_is_required(sent: list[httpx.Request]) -> None:
    code, _ = _run("breaker", "reset")

    assert code != 0
    assert sent == []
