"""`academy catalogue …` content commands (`serve` and `migrate` are added by the runtime)."""

import asyncio
import getpass
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError, ProgrammingError

from academy_runtime.cli import ServiceParts, add_service_commands, load_settings
from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import inspect
from catalogue.domain.diff import Change, render_diff
from catalogue.domain.errors import ContentInvalid
from catalogue.domain.snapshot import SnapshotError
from catalogue.domain.summary import render_summary
from catalogue.domain.versions import short
from catalogue.entrypoints import commands
from catalogue.service.reading import NotFound
from catalogue.service.refs import REF_HELP
from catalogue.settings import CatalogueSettings

app = typer.Typer(
    help="Catalogue: content, publish, serve.",
    no_args_is_help=True,
)

ContentDir = Annotated[
    Path, typer.Argument(help="Content directory (catalogue.yaml, core/, jurisdictions/)")
]


@app.callback()
def catalogue() -> None:
    """Catalogue: shared core curriculum with per-jurisdiction overrides."""


@app.command("validate")
def validate_command(directory: ContentDir = BUNDLED_CONTENT_DIR) -> None:
    """Check content; print every problem as file:line on stderr and exit 1 if there are any."""
    resolved, errors = inspect(directory)
    if errors:
        _content_problems(ContentInvalid(errors), directory)
    typer.echo(render_summary(resolved))


@app.command("publish")
def publish_command(
    directory: ContentDir = BUNDLED_CONTENT_DIR,
    relay: Annotated[
        bool,
        typer.Option(
            help="Also send the events to Kafka now, instead of leaving that to the running "
            "catalogue service's outbox relay"
        ),
    ] = False,
    relay_timeout: Annotated[float, typer.Option(help="Seconds to wait for Kafka")] = 30.0,
    publisher: Annotated[str | None, typer.Option(help="Who publishes (default: OS user)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON")] = False,
) -> None:
    """Validate DIR and make it the latest published catalogue version.

    Stores the version in Postgres and stages, in the same transaction, a track-published
    event per new or changed track, a jurisdiction-added event per new jurisdiction and a
    release-policy event per new or changed policy. Unchanged content publishes nothing.
    Exit codes: 0 done, 1 invalid content, 2 database or settings, 3 --relay timed out.
    """
    catalogue, errors = inspect(directory)
    if errors:
        _content_problems(ContentInvalid(errors), directory)
    settings = _settings()
    with _failures():
        done = asyncio.run(
            commands.run_publish(
                settings,
                catalogue,
                source=str(directory.resolve()),
                publisher=publisher or _os_user(),
                relay=relay,
                relay_timeout_s=relay_timeout,
            )
        )
    result = done.result
    if as_json:
        typer.echo(json.dumps(_publish_json(done), indent=2))
    elif not result.published:
        typer.echo(
            f"catalogue {short(result.version)} is already the latest published version "
            f"(publication #{result.seq}); nothing published, no events"
        )
    else:
        previous = f", previous {short(result.previous_version)}" if result.previous_version else ""
        typer.echo(
            f"published catalogue {short(result.version)} as publication #{result.seq}{previous}"
        )
        typer.echo(render_diff(result.changes))
        typer.echo(_events_line(done))
    if done.relayed and done.unsent:
        why = done.relay_error or f"Kafka did not acknowledge within {relay_timeout:g}s"
        typer.echo(
            f"{done.unsent} event(s) not sent ({why}); the publication is committed, the events "
            "stay in the outbox and the catalogue service's relay sends them when it runs",
            err=True,
        )
        raise typer.Exit(3)


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help=f"From: {REF_HELP}, or a content directory")],
    new: Annotated[str, typer.Argument(help="To: same forms as OLD")] = "latest",
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON")] = False,
) -> None:
    """Show what changed between two versions, track by track and module by module.

    A content directory on either side compares unpublished content, e.g.
    `academy catalogue diff latest services/catalogue/content` previews a publish.
    """
    refs = [ref for ref in (old, new) if not Path(ref).is_dir()]
    with _failures():
        published = iter(asyncio.run(commands.published_sides(_settings(), refs)) if refs else [])
    sides = []
    for ref in (old, new):
        if Path(ref).is_dir():
            try:
                sides.append(commands.directory_side(Path(ref)))
            except ContentInvalid as exc:
                _content_problems(exc, Path(ref))
        else:
            sides.append(next(published))
    changes = commands.changes_between(sides[0], sides[1])
    if as_json:
        body = {"from": sides[0].label, "to": sides[1].label, "changes": _changes_json(changes)}
        typer.echo(json.dumps(body, indent=2))
        return
    typer.echo(f"--- {sides[0].label}\n+++ {sides[1].label}")
    typer.echo(render_diff(changes))


@app.command("versions")
def versions_command(
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first")] = 20,
) -> None:
    """List the latest publications: number, version, time, events emitted, source."""
    with _failures():
        found = asyncio.run(commands.run_versions(_settings(), limit=limit))
    if not found:
        typer.echo("nothing published yet; run `academy catalogue publish`")
    for p in found:
        when = p.ref.published_at.isoformat(timespec="seconds")
        typer.echo(
            f"#{p.seq:<4} {short(p.version)}  {when}  {len(p.event_ids):>3} events  "
            f"{p.change_count:>3} changes  {p.publisher}  {p.source}"
        )


# -- helpers ------------------------------------------------------------------------------


def _settings() -> CatalogueSettings:
    return load_settings(CatalogueSettings)


def _content_problems(exc: ContentInvalid, directory: Path) -> None:
    for error in exc.errors:
        typer.echo(str(error), err=True)
    count = len(exc.errors)
    typer.echo(f"{count} problem{'s' if count != 1 else ''} in {directory}", err=True)
    raise typer.Exit(code=1)


@contextmanager
def _failures() -> Iterator[None]:
    """Turn the failures an operator can fix into one clear line and an exit code."""
    try:
        yield
    except NotFound as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from exc
    except SnapshotError as exc:
        typer.echo(f"a stored catalogue version is damaged: {exc}", err=True)
        raise typer.Exit(1) from exc
    except ProgrammingError as exc:
        if "does not exist" not in str(exc):
            raise
        typer.echo(
            "the catalogue tables are missing: run `academy catalogue migrate` first", err=True
        )
        raise typer.Exit(2) from exc
    except (OSError, DBAPIError) as exc:
        typer.echo(f"cannot use the database (CATALOGUE_DATABASE_URL): {exc}", err=True)
        raise typer.Exit(2) from exc


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _events_line(done: commands.Published) -> str:
    count = len(done.result.events)
    if not count:
        return "no events: no track, jurisdiction or release policy changed"
    if done.relayed:
        sent = count - done.unsent
        return f"{sent} of {count} event(s) published on academy.catalogue.v1"
    return (
        f"{count} event(s) staged in the outbox; the catalogue service's relay publishes "
        "them on academy.catalogue.v1 (or publish with --relay)"
    )


def _publish_json(done: commands.Published) -> dict[str, Any]:
    result = done.result
    return {
        "published": result.published,
        "publication": result.seq,
        "version": result.version,
        "previous_version": result.previous_version,
        "events": [{"id": e.id, "type": e.type, "subject": e.subject} for e in result.events],
        "changes": _changes_json(result.changes),
        "relayed": done.relayed,
        "unsent": done.unsent,
        "relay_error": done.relay_error,
    }


def _changes_json(changes: Sequence[Change]) -> list[dict[str, Any]]:
    return [change.to_dict() for change in changes]


def _service() -> ServiceParts[CatalogueSettings]:
    from catalogue.app import MIGRATIONS, create

    return ServiceParts(CatalogueSettings, create, MIGRATIONS)


add_service_commands(app, name="catalogue", load=_service)


def main() -> None:
    """`academy-catalogue`: the service's own command (the image's entrypoint)."""
    app()
