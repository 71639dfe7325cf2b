"""`academy release …` support commands: thin clients of the support API (bearer token)."""

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
import typer

DEFAULT_URL = "http://127.0.0.1:8103"

Url = Annotated[
    str, typer.Option("--url", envvar="ACADEMY_RELEASE_URL", help="release bridge base URL")
]
Token = Annotated[
    str,
    typer.Option("--token", envvar="ACADEMY_TOKEN", help="bearer token with role academy_support"),
]
Reason = Annotated[str, typer.Option("--reason", help="why (recorded with you as the actor)")]
Endpoint = Annotated[str, typer.Option("--endpoint", help="portal endpoint name")]


def http_client(url: str, token: str) -> httpx.Client:
    """The HTTP client every command uses (tests swap in a mock transport)."""
    return httpx.Client(
        base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=30.0
    )


def _call(url: str, token: str, method: str, path: str, body: Any = None) -> None:
    if not token.strip():
        typer.echo("no token: pass --token or set ACADEMY_TOKEN (role academy_support)", err=True)
        raise typer.Exit(2)
    try:
        with http_client(url, token) as client:
            response = client.request(method, path, json=body)
    except httpx.HTTPError as exc:
        typer.echo(f"cannot reach the release bridge at {url}: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        payload = response.json()
    except ValueError:
        payload = {"detail": response.text}
    if response.status_code >= 400:
        detail = payload.get("detail") if isinstance(payload, dict) else payload
        typer.echo(f"HTTP {response.status_code}: {json.dumps(detail)}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(payload, indent=2))


def register(app: typer.Typer) -> None:
    """Add the support commands to the `academy release` Typer app."""

    @app.command("force-release")
    def force_release(
        operator_id: Annotated[str, typer.Argument(help="operator (tenant) id")],
        jurisdiction: Annotated[str, typer.Argument(help="jurisdiction code, e.g. MGA")],
        reason: Reason,
        url: Url = DEFAULT_URL,
        token: Token = "",
    ) -> None:
        """Release tooling by hand (sent with reason manual_override)."""
        body = {"operator_id": operator_id, "jurisdiction": jurisdiction, "reason": reason}
        _call(url, token, "POST", "/v1/support/releases", body)

    @app.command("redeliver")
    def redeliver(
        webhook_id: Annotated[str, typer.Argument(help="webhook id (= release id)")],
        reason: Reason,
        url: Url = DEFAULT_URL,
        token: Token = "",
    ) -> None:
        """Send a parked, held or failing delivery again now."""
        path = f"/v1/support/deliveries/{webhook_id}/redeliver"
        _call(url, token, "POST", path, {"reason": reason})

    @app.command("replay")
    def replay(
        since: Annotated[str, typer.Option(help="range start, ISO 8601 (UTC if no zone)")],
        until: Annotated[str, typer.Option(help="range end (exclusive), ISO 8601")],
        reason: Reason,
        operator_id: Annotated[str | None, typer.Option("--operator")] = None,
        url: Url = DEFAULT_URL,
        token: Token = "",
    ) -> None:
        """Send every webhook decided in a time range again (the portal dedupes by id)."""
        body = {
            "since": _utc(since),
            "until": _utc(until),
            "operator_id": operator_id,
            "reason": reason,
        }
        _call(url, token, "POST", "/v1/support/replays", body)

    @app.command("deliveries")
    def deliveries(
        status: Annotated[str | None, typer.Option(help="pending, held, parked, delivered")] = None,
        operator_id: Annotated[str | None, typer.Option("--operator")] = None,
        url: Url = DEFAULT_URL,
        token: Token = "",
    ) -> None:
        """List deliveries, newest first."""
        query = {k: v for k, v in {"status": status, "operator_id": operator_id}.items() if v}
        path = "/v1/support/deliveries" + (f"?{httpx.QueryParams(query)}" if query else "")
        _call(url, token, "GET", path)

    @app.command("delivery")
    def delivery(
        webhook_id: Annotated[str, typer.Argument(help="webhook id")],
        url: Url = DEFAULT_URL,
        token: Token = "",
    ) -> None:
        """One delivery with its attempt ledger."""
        _call(url, token, "GET", f"/v1/support/deliveries/{webhook_id}")

    breaker = typer.Typer(help="The portal endpoint's circuit breaker.", no_args_is_help=True)
    app.add_typer(breaker, name="breaker")

    @breaker.command("status")
    def breaker_status(url: Url = DEFAULT_URL, token: Token = "") -> None:
        """Breaker state per endpoint."""
        _call(url, token, "GET", "/v1/support/breakers")

    for action, summary in (
        ("force-open", "Hold the breaker open (deliveries wait) until forced closed or reset."),
        ("force-closed", "Hold the breaker closed; held deliveries are sent again."),
        ("reset", "Back to an automatic closed breaker; held deliveries are sent again."),
    ):
        breaker.command(action, help=summary)(_breaker_command(action))


def _breaker_command(action: str) -> Any:
    def command(
        reason: Reason, endpoint: Endpoint = "portal", url: Url = DEFAULT_URL, token: Token = ""
    ) -> None:
        _call(url, token, "POST", f"/v1/support/breakers/{endpoint}/{action}", {"reason": reason})

    return command


def _utc(text: str) -> str:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time") from exc
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
