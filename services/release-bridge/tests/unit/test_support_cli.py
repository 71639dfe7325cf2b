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


def _answering(monkeypatch: pytest.MonkeyPatch, status: int, body: object) -> list[httpx.Request]:
    """The fake bridge answers every request with `status` and the JSON `body`."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status, json=body)

    def client(url: str, token: str) -> httpx.Client:
        return httpx.Client(base_url=url, transport=httpx.MockTransport(answer))

    monkeypatch.setattr(support_cli, "http_client", client)
    return requests


def test_a_422_prints_every_field_and_problem_the_api_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _answering(
        monkeypatch,
        422,
        {
            "error": "invalid_request",
            "detail": "fix the listed fields: reason, jurisdiction",
            "problems": [
                {"field": "reason", "problem": "must not be blank"},
                {"field": "jurisdiction", "problem": "'XYZ' is not published; published: MGA"},
            ],
            "published": ["GCB", "MGA"],
        },
    )

    code, output = _run("force-release", "op-1", "XYZ", "--reason", " ")

    assert code == 1
    assert "HTTP 422 invalid_request: fix the listed fields: reason, jurisdiction" in output
    assert "  reason: must not be blank" in output
    assert "  jurisdiction: 'XYZ' is not published; published: MGA" in output
    assert "  published: GCB, MGA" in output


def test_a_release_outside_go_live_is_explained_with_a_hint_at_the_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _answering(
        monkeypatch,
        409,
        {
            "error": "conflict",
            "reason": "outside_go_live",
            "detail": "op-1 is going live in GCB, GSC, not MGA",
            "go_live": ["GCB", "GSC"],
        },
    )

    code, output = _run("force-release", "op-1", "MGA", "--reason", "pilot")

    assert code == 1
    assert "HTTP 409 conflict: op-1 is going live in GCB, GSC, not MGA" in output
    assert "  go_live: GCB, GSC" in output
    assert "hint:" in output
    assert "--outside-go-live" in output


def test_outside_go_live_flag_is_sent_in_the_body(sent: list[httpx.Request]) -> None:
    code, output = _run("force-release", "op-1", "MGA", "--reason", "pilot", "--outside-go-live")

    assert code == 0, output
    assert json.loads(sent[0].content) == {
        "operator_id": "op-1",
        "jurisdiction": "MGA",
        "reason": "pilot",
        "outside_go_live": True,
    }


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["force-release", "op with space", "MGA", "--reason", "x"], "operator_id"),
        (["force-release", "op-1", "mga", "--reason", "x"], "jurisdiction"),
        (["redeliver", "id/../x", "--reason", "x"], "webhook_id"),
        (["deliveries", "--operator", "op 1"], "--operator"),
        (
            [
                "replay",
                "--since",
                "2026-01-01",
                "--until",
                "2026-01-02",
                "--reason",
                "x",
                "--operator",
                "",
            ],
            "--operator",
        ),
    ],
)
def test_a_bad_identifier_argument_exits_2_naming_it_before_any_request(
    sent: list[httpx.Request], args: list[str], named: str
) -> None:
    code, output = _run(*args)

    assert code == 2
    assert f"Invalid value for '{named}'" in output
    assert sent == []


DELIVERIES = [
    {
        "webhook_id": "rel-1",
        "status": "parked",
        "operator_id": "op-1",
        "jurisdiction": "MGA",
        "webhook_type": "tooling.released",
        "attempts": 7,
        "last_status_code": 410,
        "next_attempt_at": None,
        "decided_at": "2026-11-24T10:00:00+00:00",
        "last_error": "gone",
    }
]


def test_deliveries_print_as_an_aligned_table_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    _answering(monkeypatch, 200, DELIVERIES)

    code, output = _run("deliveries")

    assert code == 0, output
    header, row = output.splitlines()
    assert header.split() == list(support_cli.DELIVERY_COLUMNS)
    assert row.split()[:4] == ["rel-1", "parked", "op-1", "MGA"]
    assert header.index("status") == row.index("parked")
    assert "{" not in output


def test_json_prints_exactly_what_the_api_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    _answering(monkeypatch, 200, DELIVERIES)

    code, output = _run("deliveries", "--json")

    assert code == 0, output
    assert json.loads(output) == DELIVERIES


def test_a_force_release_prints_what_was_released(monkeypatch: pytest.MonkeyPatch) -> None:
    done = {"release_id": "rel-9", "reason": "manual_override", "actor": "sam.support"}
    _answering(monkeypatch, 201, done)

    code, output = _run("force-release", "op-1", "MGA", "--reason", "pilot")

    assert code == 0, output
    assert output.splitlines()[0] == "force-released MGA for op-1"
    assert "release_id  rel-9" in output


def test_the_default_url_follows_the_base_port(
    monkeypatch: pytest.MonkeyPatch, sent: list[httpx.Request]
) -> None:
    monkeypatch.setenv("ACADEMY_BASE_PORT", "9100")

    result = runner.invoke(app, ["breaker", "status", "--token", "tkn"])

    assert result.exit_code == 0, result.output
    assert str(sent[0].url) == "http://127.0.0.1:9103/v1/support/breakers"
