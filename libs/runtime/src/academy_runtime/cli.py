"""`serve` and `migrate` commands, the same for every service."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from fastapi import FastAPI
from pydantic import ValidationError

from academy_runtime import migrations
from academy_runtime.app import serve
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def load_settings(settings_cls: type[S]) -> S:
    try:
        return settings_cls()
    except ValidationError as exc:
        prefix = settings_cls.model_config.get("env_prefix", "")
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            name = f"{prefix}{field.upper()}" if field else "settings"
            typer.echo(f"configuration error: {name}: {err['msg']}", err=True)
        raise typer.Exit(2) from exc


def add_service_commands(
    app: typer.Typer,
    *,
    settings_cls: type[S],
    create: Callable[[S], tuple[FastAPI, ServiceRuntime]],
    migrations_dir: Path,
) -> None:
    name = settings_cls.service_name

    @app.command("serve")
    def serve_command() -> None:
        """Run the service (HTTP API, consumers, outbox relay) until SIGINT/SIGTERM."""
        settings = load_settings(settings_cls)
        fastapi_app, runtime = create(settings)
        serve(fastapi_app, runtime)

    @app.command("migrate")
    def migrate_command(revision: str = typer.Argument("head")) -> None:
        """Apply this service's database migrations (its own schema)."""
        settings = load_settings(settings_cls)
        migrations.upgrade(migrations_dir, settings.database_url.get_secret_value(), revision)
        typer.echo(f"{name}: migrated to {revision}")

    serve_command.__doc__ = f"Run the {name} service until SIGINT/SIGTERM."
