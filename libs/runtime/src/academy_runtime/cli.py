"""What every `academy` command shares: settings, serve/migrate, identifier checks, local URLs,
API error reports and human or `--json` output.

Imported by every command, so it imports only typer at the top: `academy token` and the
support commands must start without loading a service (FastAPI, SQLAlchemy, FastStream).
"""

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from academy_runtime.service import ServiceRuntime
    from academy_runtime.settings import DatabaseSettings
    from contracts.identifiers import Kind

S = TypeVar("S", bound="DatabaseSettings")

#: Exit codes: 1 the API or a check refused, 2 usage (a bad argument, no token, unreachable).
EXIT_REFUSED: Final = 1
EXIT_USAGE: Final = 2


def load_settings(settings_cls: type[S]) -> S:
    from pydantic import ValidationError

    try:
        return settings_cls()
    except ValidationError as exc:
        prefix = settings_cls.model_config.get("env_prefix", "")
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            if field:
                typer.echo(f"configuration error: {prefix}{field.upper()}: {err['msg']}", err=True)
            else:  # a check across settings: its message names the variables
                message = err["msg"].removeprefix("Value error, ")
                typer.echo(f"configuration error: {message}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc


# -- serve and migrate ---------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceParts(Generic[S]):
    """What `serve` and `migrate` need; a service's CLI imports it only when one of them runs."""

    settings_cls: type[S]
    create: "Callable[[S], tuple[FastAPI, ServiceRuntime]]"
    migrations_dir: Path


def add_service_commands(
    app: typer.Typer, *, name: str, load: "Callable[[], ServiceParts[Any]]"
) -> None:
    """Add `serve` and `migrate` to `app`; `load` imports the service when one of them runs."""

    @app.command("serve")
    def serve_command() -> None:
        from academy_runtime.app import serve

        parts = load()
        settings = load_settings(parts.settings_cls)
        fastapi_app, runtime = parts.create(settings)
        serve(fastapi_app, runtime)

    @app.command("migrate")
    def migrate_command(revision: str = typer.Argument("head")) -> None:
        """Apply this service's database migrations (its own schema). Reads only the
        environment and the database URL: run it as the migration role, without runtime secrets."""
        from sqlalchemy.exc import DBAPIError

        from academy_runtime import migrations
        from academy_runtime.settings import migration_settings

        parts = load()
        settings = load_settings(migration_settings(parts.settings_cls))
        try:
            migrations.upgrade(
                parts.migrations_dir, settings.database_url.get_secret_value(), revision
            )
        except (OSError, DBAPIError) as exc:  # one line, not the driver's traceback
            prefix = parts.settings_cls.model_config.get("env_prefix", "")
            statement = getattr(exc, "statement", None)
            cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            typer.echo(f"{name}: migration failed: {cause}", err=True)
            if statement:
                typer.echo(f"  while running: {' '.join(statement.split())[:300]}", err=True)
            else:
                typer.echo(
                    f"hint: check {prefix}DATABASE_URL and that its role may connect", err=True
                )
            raise typer.Exit(EXIT_REFUSED) from exc
        typer.echo(f"{name}: migrated to {revision}")

    serve_command.__doc__ = f"Run the {name} service until SIGINT/SIGTERM."


# -- identifier arguments ------------------------------------------------------------------


def identifier(
    kind: "Kind", *, normalize: Callable[[str], str] | None = None
) -> Callable[[Any], Any]:
    """A typer callback that refuses a value that is not a `kind` (exit 2, naming the argument)
    before the command runs; `normalize` (e.g. `str.upper`) is applied first."""

    def one(value: str) -> str:
        value = normalize(value) if normalize else value
        problem = kind.problem(value)
        if problem is not None:
            raise typer.BadParameter(problem)
        return value

    def check(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return [one(item) for item in value]
        return one(value)

    return check


# -- local URLs ----------------------------------------------------------------------------

DEFAULT_BASE_PORT: Final = 8100
BASE_PORT_ENV: Final = "ACADEMY_BASE_PORT"
#: Where the local mesh (`academy up`) listens, relative to its base port: the one layout.
PORT_OFFSETS: Final[Mapping[str, int]] = {
    "issuer": 0,
    "catalogue": 1,
    "assessment": 2,
    "release-bridge": 3,
    "audit-export": 4,
    "portal": 5,
    "sftp": 22,
}


def use_base_port(port: int) -> None:
    """`academy --base-port`: the same as ACADEMY_BASE_PORT, for this command and its children."""
    os.environ[BASE_PORT_ENV] = str(port)


def base_port() -> int:
    """The local mesh's base port: ACADEMY_BASE_PORT (or `academy --base-port`), else 8100."""
    text = os.environ.get(BASE_PORT_ENV, "").strip()
    if not text:
        return DEFAULT_BASE_PORT
    if not text.isdigit() or not 0 < int(text) <= 65535 - max(PORT_OFFSETS.values()):
        raise typer.BadParameter(f"{BASE_PORT_ENV}={text!r} is not a usable base port")
    return int(text)


def local_port(component: str) -> int:
    """The port of a local mesh component (`release-bridge`, `issuer`, …)."""
    return base_port() + PORT_OFFSETS[component]


def local_url(component: str) -> str:
    return f"http://127.0.0.1:{local_port(component)}"


def local_url_default(component: str) -> Callable[[], str]:
    """A `default_factory` for a URL option: the local mesh's, following the base port."""
    return lambda: local_url(component)


def local_url_shown(component: str) -> str:
    """How `--help` shows such a default."""
    port = DEFAULT_BASE_PORT + PORT_OFFSETS[component]
    return f"http://127.0.0.1:{port} with base port {DEFAULT_BASE_PORT}"


# -- API errors ----------------------------------------------------------------------------


def api_error_lines(status: int, body: Any) -> list[str]:
    """A one-line summary of an API refusal, then `  field: problem` for every problem listed
    and `  key: value` for anything else the body says (reason, claim, did_you_mean, …)."""
    if not isinstance(body, dict):
        text = body if isinstance(body, str) else json.dumps(body)
        return [f"HTTP {status}: {text.strip() or '(empty body)'}"]
    fields = dict(body)
    detail = fields.pop("detail", None)
    if isinstance(detail, dict):  # {"error", "detail": {"error", "reason", "detail"}}: inner wins
        fields.update(detail)
        detail = fields.pop("detail", None)
    error, problems = fields.pop("error", None), fields.pop("problems", None)
    if problems is None and isinstance(detail, list):  # FastAPI's own 422 (the dev issuer's)
        problems = [_fastapi_problem(item) for item in detail if isinstance(item, dict)]
        detail = "invalid request"
    summary = f"HTTP {status}" + (f" {error}" if error else "")
    lines = [summary + (f": {_cell(detail)}" if detail not in (None, "") else "")]
    for problem in problems if isinstance(problems, list) else []:
        if isinstance(problem, dict):
            where = problem.get("field") or "body"
            lines.append(f"  {where}: {problem.get('problem') or 'invalid'}")
    shown = {key: value for key, value in fields.items() if value not in (None, "", [], {})}
    lines.extend(f"  {key}: {_cell(value)}" for key, value in shown.items())
    return lines


def _fastapi_problem(item: dict[str, Any]) -> dict[str, str]:
    loc = [str(part) for part in item.get("loc") or () if part != "body"]
    return {"field": ".".join(loc) or "body", "problem": str(item.get("msg") or "invalid")}


def exit_with_api_error(status: int, body: Any, *, hints: Iterable[str] = ()) -> NoReturn:
    """Print the refusal (and any hints) on stderr and exit 1."""
    for line in api_error_lines(status, body):
        typer.echo(line, err=True)
    for hint in hints:
        typer.echo(f"hint: {hint}", err=True)
    raise typer.Exit(EXIT_REFUSED)


def parse_body(content: bytes) -> Any:
    """A response body as JSON, or its text when it is not JSON."""
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")


# -- output --------------------------------------------------------------------------------


def echo_json(payload: Any) -> None:
    """The exact JSON the API answered (what `--json` prints)."""
    typer.echo(json.dumps(payload, indent=2))


def human_text(payload: Any, columns: Sequence[str] = ()) -> str:
    """Any API answer as text: a record as aligned fields, a list of records as a table."""
    if isinstance(payload, Mapping):
        return fields_text(payload)
    if isinstance(payload, list) and all(isinstance(row, Mapping) for row in payload):
        return table_text(payload, columns)
    return _cell(payload)


def fields_text(record: Mapping[str, Any], *, indent: str = "") -> str:
    """`key  value` lines, values aligned."""
    width = max((len(key) for key in record), default=0)
    return "\n".join(f"{indent}{key:<{width}}  {_cell(value)}" for key, value in record.items())


def table_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] = ()) -> str:
    """Rows as aligned columns (`columns`, or every key in first-seen order)."""
    if not rows:
        return "(none)"
    names = list(columns) or list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_cell(row.get(name)) for name in names] for row in rows]
    widths = [max(len(name), *(len(line[i]) for line in cells)) for i, name in enumerate(names)]
    lines = [names, *cells]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(item) for item in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, separators=(", ", ": "))
    return str(value)
