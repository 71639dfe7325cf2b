"""`academy audit`: export bundles, run exports, public keys, run the service; verify and
sample are the format library's own commands (`auditpack.cli`), listed here too."""

import asyncio
import getpass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from academy_runtime.cli import ServiceParts, add_service_commands, identifier, load_settings
from auditpack import cli as auditpack_cli
from contracts import identifiers

if TYPE_CHECKING:
    from audit_export.service.exports import PassReport
    from audit_export.settings import AuditExportSettings
    from auditpack.inspection import BundleResult

app = typer.Typer(
    name="audit",
    help="Audit packs: verify offline, samples, inspection bundles, exports, the service.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_FAILED = 1
EXIT_USAGE = 2

app.command()(auditpack_cli.verify)
app.command()(auditpack_cli.sample)


@app.command("public-keys")
def public_keys(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Print the public key file of the configured signing keys (AUDIT_EXPORT_SIGNING_KEYS).

    Publish it to operators and inspectors before a new key starts signing.
    """
    from audit_export.settings import AuditExportSettings
    from auditpack.public_keys import KeyLoadError, export_public_keys

    settings = load_settings(AuditExportSettings)
    try:
        keyring = settings.keyring()
    except KeyLoadError as exc:
        typer.echo(f"error: AUDIT_EXPORT_SIGNING_KEYS: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    if keyring is None:
        typer.echo("error: AUDIT_EXPORT_SIGNING_KEYS is empty", err=True)
        raise typer.Exit(EXIT_USAGE)
    document = export_public_keys([key.public for key in keyring.keys])
    if out is None:
        typer.echo(document.decode(), nl=False)
    else:
        out.write_bytes(document)
        typer.echo(f"wrote {out}")


@app.command("export")
def export(
    operator_id: Annotated[
        str,
        typer.Argument(
            metavar="OPERATOR", help="Operator id.", callback=identifier(identifiers.OPERATOR)
        ),
    ],
    jurisdiction: Annotated[
        str,
        typer.Option(
            "--jurisdiction",
            "-j",
            help="e.g. MGA",
            callback=identifier(identifiers.JURISDICTION, normalize=str.upper),
        ),
    ],
    first_day: Annotated[str, typer.Option("--from", help="First UTC day, YYYY-MM-DD.")],
    last_day: Annotated[str, typer.Option("--to", help="Last UTC day (inclusive).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the audit log).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Bundle file (default: its name, here).")
    ] = None,
) -> None:
    """Write an inspection bundle: the operator's daily packs for the range + a jurisdiction view.

    Reads the service's database (AUDIT_EXPORT_* settings); builds any missing daily pack;
    records the export, with your user name and reason, in the operator's audit log.
    """
    from audit_export.service.inspection import InspectionError
    from audit_export.service.packs import ChainError, PackIntegrityError
    from auditpack.pack import PackBuildError
    from auditpack.public_keys import KeyLoadError
    from auditpack.signing import NoSigningKeyError

    try:
        first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    except ValueError as exc:
        typer.echo(f"error: --from/--to: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    try:
        path, result = asyncio.run(_export(operator_id, jurisdiction, first, last, reason, out))
    except (
        InspectionError,
        ChainError,
        KeyLoadError,
        NoSigningKeyError,
        PackBuildError,
        PackIntegrityError,
    ) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from exc
    typer.echo(
        f"wrote {path} ({result.bytes} bytes; {result.training_rows} training and "
        f"{result.release_rows} release rows for {jurisdiction})"
    )


async def _export(
    operator_id: str, jurisdiction: str, first: date, last: date, reason: str, out: Path | None
) -> tuple[Path, "BundleResult"]:
    from academy_runtime.service import ServiceRuntime
    from audit_export.adapters.orm import SCHEMA, metadata
    from audit_export.adapters.unit_of_work import audit_units
    from audit_export.app import wire
    from audit_export.service.inspection import (
        Requester,
        check_scope,
        export_bundle,
        record_request,
    )
    from audit_export.settings import AuditExportSettings
    from auditpack.inspection import InspectionScope
    from contracts import topics

    settings = load_settings(AuditExportSettings)
    runtime = ServiceRuntime(settings, schema=SCHEMA, metadata=metadata, produces=[topics.AUDIT])
    wiring = wire(settings, runtime)
    scope = InspectionScope(operator_id, jurisdiction, first, last)
    now = wiring.clock()
    try:
        check_scope(scope, now=now, max_days=settings.inspection_max_days)
        path = out or Path(scope.filename)
        result = await export_bundle(
            wiring.workshop,
            wiring.exporter.locks,
            scope,
            path,
            now=now,
            has_target=operator_id in wiring.targets,
        )
        requester = Requester(f"cli:{getpass.getuser()}", reason)
        async with audit_units(runtime)() as uow:
            await record_request(uow, runtime, scope, requester, now=now)
    finally:
        await runtime.engine.dispose()
    return path, result


@app.command("run-exports")
def run_exports() -> None:
    """Run one export pass now: build and deliver every due pack, retry failed deliveries.

    The same pass the service's scheduler runs every AUDIT_EXPORT_EXPORT_POLL_INTERVAL_S;
    safe next to running replicas (each operator is locked while it is exported).
    """
    report = asyncio.run(_run_exports())
    typer.echo(f"packs due through {report.due.isoformat()}")
    for operator_id, day in report.delivered:
        typer.echo(f"delivered {operator_id} {day.isoformat()}")
    for operator_id, day, reason in report.failed:
        typer.echo(f"FAILED {operator_id} {day.isoformat()}: {reason}")
    for operator_id, error in report.errors:
        typer.echo(f"ERROR {operator_id}: {error}")
    if report.failed or report.errors:
        raise typer.Exit(EXIT_FAILED)


async def _run_exports() -> "PassReport":
    from academy_runtime.service import ServiceRuntime
    from audit_export.adapters.orm import SCHEMA, metadata
    from audit_export.app import wire
    from audit_export.entrypoints.scheduler import run_once
    from audit_export.settings import AuditExportSettings
    from contracts import topics

    settings = load_settings(AuditExportSettings)
    runtime = ServiceRuntime(settings, schema=SCHEMA, metadata=metadata, produces=[topics.AUDIT])
    try:
        return await run_once(wire(settings, runtime))
    finally:
        await runtime.engine.dispose()


def _service() -> "ServiceParts[AuditExportSettings]":
    from audit_export.app import MIGRATIONS, create
    from audit_export.settings import AuditExportSettings

    return ServiceParts(AuditExportSettings, create, MIGRATIONS)


add_service_commands(app, name="audit-export", load=_service)


def main() -> None:
    """`academy-audit-export`: the service's own command (the image's entrypoint)."""
    app()
