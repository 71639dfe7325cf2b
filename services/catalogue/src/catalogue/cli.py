"""`academy catalogue …` content commands (`serve` and `migrate` are added by the runtime)."""

from pathlib import Path
from typing import Annotated

import typer

from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import inspect
from catalogue.domain.summary import render_summary

app = typer.Typer(
    help="Catalogue: content, publish, serve.",
    no_args_is_help=True,
)


@app.callback()
def catalogue() -> None:
    """Catalogue: shared core curriculum with per-jurisdiction overrides."""


@app.command("validate")
def validate_command(
    directory: Annotated[
        Path,
        typer.Argument(help="Content directory (catalogue.yaml, core/, jurisdictions/)"),
    ] = BUNDLED_CONTENT_DIR,
) -> None:
    """Check content; print every problem as file:line on stderr and exit 1 if there are any."""
    resolved, errors = inspect(directory)
    if errors:
        for error in errors:
            typer.echo(str(error), err=True)
        count = len(errors)
        typer.echo(f"{count} problem{'s' if count != 1 else ''} in {directory}", err=True)
        raise typer.Exit(code=1)
    typer.echo(render_summary(resolved))


def _add_service_commands() -> None:
    from academy_runtime.cli import add_service_commands
    from catalogue.app import MIGRATIONS, create
    from catalogue.settings import CatalogueSettings

    add_service_commands(
        app, settings_cls=CatalogueSettings, create=create, migrations_dir=MIGRATIONS
    )


_add_service_commands()
