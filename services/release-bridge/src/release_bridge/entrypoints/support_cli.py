"""`academy release …` support commands: thin clients of the support API (bearer token).

Aligned text by default, the API's exact JSON with `--json`; a refusal prints every field and
reason the API gave. No service code is imported, so the commands start at once.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
import typer

from academy_runtime.cli import (
    EXIT_USAGE,
    echo_json,
    exit_with_api_error,
    fields_text,
    human_text,
    identifier,
    local_url_default,
    local_url_shown,
    parse_body,
    table_text,
)
from contracts import identifiers

Url = Annotated[
    str,
    typer.Option(
        "--url",
        envvar="ACADEMY_RELEASE_URL",
        help="release bridge base URL (default: the local mesh's, following --base-port)",
        default_factory=local_url_default("release-bridge"),
        show_default=local_url_shown("release-bridge"),
    ),
]
Token = Annotated[
    str,
    typer.Option("--token", envvar="ACADEMY_TOKEN", help="bearer token with role academy_support"),
]
Reason = Annotated[str, typer.Option("--reason", help="why (recorded with you as the actor)")]
Endpoint = Annotated[str, typer.Option("--endpoint", help="portal endpoint name")]
Json = Annotated[bool, typer.Option("--json", help="print the API's JSON answer as it is")]
WebhookId = Annotated[
    str,
    typer.Argument(help="webhook id (= release id)", callback=identifier(identifiers.RECORD_ID)),
]
OperatorFilter = Annotated[
    str | None,
    typer.Option("--operator", help="operator id", callback=identifier(identifiers.OPERATOR)),
]

#: The deliveries listing's columns (`--json` has every field).
DELIVERY_COLUMNS = (
    "webhook_id",
    "status",
    "operator_id",
    "jurisdiction",
    "webhook_type",
    "attempts",
    "last_status_code",
    "next_attempt_at",
    "decided_at",
)

#: How a command shows the record the API answered (anything else: `human_text`).
Show = Callable[[dict[str, Any]], str]
Hints = Callable[[Any], list[str]]


def http_client(url: str, token: str) -> httpx.Client:
    """The HTTP client every command uses (tests swap in a mock transport)."""
    return httpx.Client(
        base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=30.0
    )


def _call(
    url: str,
    token: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    as_json: bool,
    show: Show = fields_text,
    columns: Sequence[str] = (),
    hints: Hints = lambda _: [],
) -> None:
    if not token.strip():
        typer.echo("no token: pass --token or set ACADEMY_TOKEN (role academy_support)", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        with http_client(url, token) as client:
            response = client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        typer.echo(f"cannot reach the release bridge at {url}: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    payload = parse_body(response.content)
    if response.status_code >= 400:
        exit_with_api_error(response.status_code, payload, hints=hints(payload))
    if as_json:
        echo_json(payload)
    elif isinstance(payload, dict):
        typer.echo(show(payload))
    else:
        typer.echo(human_text(payload, columns))


def register(app: typer.Typer) -> None:
    """Add the support commands to the `academy release` Typer app."""

    @app.command("force-release")
    def force_release(
        operator_id: Annotated[
            str,
            typer.Argument(help="operator (tenant) id", callback=identifier(identifiers.OPERATOR)),
        ],
        jurisdiction: Annotated[
            str,
            typer.Argument(
                help="jurisdiction code, e.g. MGA", callback=identifier(identifiers.JURISDICTION)
            ),
        ],
        reason: Reason,
        url: Url,
        outside_go_live: Annotated[
            bool,
            typer.Option(
                "--outside-go-live",
                help="release a jurisdiction the operator is not going live in "
                "(refused without it; audited as outside go-live)",
            ),
        ] = False,
        token: Token = "",
        as_json: Json = False,
    ) -> None:
        """Release tooling by hand (sent with reason manual_override)."""
        body: dict[str, Any] = {
            "operator_id": operator_id,
            "jurisdiction": jurisdiction,
            "reason": reason,
        }
        if outside_go_live:
            body["outside_go_live"] = True

        def show(done: dict[str, Any]) -> str:
            return f"force-released {jurisdiction} for {operator_id}\n{fields_text(done)}"

        def hints(refusal: Any) -> list[str]:
            if outside_go_live or "outside_go_live" not in str(refusal):
                return []
            return [
                f"{jurisdiction} is not one of {operator_id}'s go-live jurisdictions; if "
                "releasing it is intended, run again with --outside-go-live"
            ]

        _call(
            url,
            token,
            "POST",
            "/v1/support/releases",
            body,
            as_json=as_json,
            show=show,
            hints=hints,
        )

    @app.command("redeliver")
    def redeliver(
        webhook_id: WebhookId, reason: Reason, url: Url, token: Token = "", as_json: Json = False
    ) -> None:
        """Send a parked, held or failing delivery again now."""
        path = f"/v1/support/deliveries/{webhook_id}/redeliver"
        _call(url, token, "POST", path, {"reason": reason}, as_json=as_json, show=_redelivered)

    @app.command("replay")
    def replay(
        since: Annotated[str, typer.Option(help="range start, ISO 8601 (UTC if no zone)")],
        until: Annotated[str, typer.Option(help="range end (exclusive), ISO 8601")],
        reason: Reason,
        url: Url,
        operator_id: OperatorFilter = None,
        token: Token = "",
        as_json: Json = False,
    ) -> None:
        """Send every webhook decided in a time range again (the portal dedupes by id)."""
        body = {
            "since": _utc(since),
            "until": _utc(until),
            "operator_id": operator_id,
            "reason": reason,
        }
        _call(url, token, "POST", "/v1/support/replays", body, as_json=as_json, show=_replayed)

    @app.command("deliveries")
    def deliveries(
        url: Url,
        status: Annotated[str | None, typer.Option(help="pending, held, parked, delivered")] = None,
        operator_id: OperatorFilter = None,
        token: Token = "",
        as_json: Json = False,
    ) -> None:
        """List deliveries, newest first."""
        query = {k: v for k, v in {"status": status, "operator_id": operator_id}.items() if v}
        path = "/v1/support/deliveries" + (f"?{httpx.QueryParams(query)}" if query else "")
        _call(url, token, "GET", path, as_json=as_json, columns=DELIVERY_COLUMNS)

    @app.command("delivery")
    def delivery(webhook_id: WebhookId, url: Url, token: Token = "", as_json: Json = False) -> None:
        """One delivery with its attempt ledger."""
        path = f"/v1/support/deliveries/{webhook_id}"
        _call(url, token, "GET", path, as_json=as_json, show=_delivery)

    breaker = typer.Typer(help="The portal endpoint's circuit breaker.", no_args_is_help=True)
    app.add_typer(breaker, name="breaker")

    @breaker.command("status")
    def breaker_status(url: Url, token: Token = "", as_json: Json = False) -> None:
        """Breaker state per endpoint."""
        _call(url, token, "GET", "/v1/support/breakers", as_json=as_json)

    for action, summary in (
        ("force-open", "Hold the breaker open (deliveries wait) until forced closed or reset."),
        ("force-closed", "Hold the breaker closed; held deliveries are sent again."),
        ("reset", "Back to an automatic closed breaker; held deliveries are sent again."),
    ):
        breaker.command(action, help=summary)(_breaker_command(action))


def _breaker_command(action: str) -> Any:
    def command(
        reason: Reason,
        url: Url,
        endpoint: Endpoint = "portal",
        token: Token = "",
        as_json: Json = False,
    ) -> None:
        path = f"/v1/support/breakers/{endpoint}/{action}"
        _call(url, token, "POST", path, {"reason": reason}, as_json=as_json, show=_moved)

    return command


def _redelivered(done: dict[str, Any]) -> str:
    return f"delivery queued to be sent again now\n{fields_text(done)}"


def _replayed(done: dict[str, Any]) -> str:
    ids = done.get("webhook_ids") or []
    head = f"queued {done.get('count', len(ids))} webhook(s) again (by {done.get('actor')})"
    return "\n".join([head, *(f"  {webhook_id}" for webhook_id in ids)])


def _moved(done: dict[str, Any]) -> str:
    return f"breaker {done.get('endpoint')}: {done.get('from')} -> {done.get('to')}"


def _delivery(found: dict[str, Any]) -> str:
    summary = {k: v for k, v in found.items() if k not in {"attempts", "body"}}
    parts = [fields_text(summary), "", "attempts:", table_text(found.get("attempts") or [])]
    if found.get("body"):
        parts += ["", "body:", found["body"]]
    return "\n".join(parts)


def _utc(text: str) -> str:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time") from exc
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
