"""`academy audit`: verify packs offline, write samples, export bundles, run the service."""

import asyncio
import getpass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from academy_runtime.cli import ServiceParts, add_service_commands, identifier, load_settings
from contracts import identifiers

if TYPE_CHECKING:
    from audit_export.domain.inspection import BundleResult
    from audit_export.domain.verify import VerifyResult
    from audit_export.service.exports import PassReport
    from audit_export.settings import AuditExportSettings

app = typer.Typer(
    name="audit",
    help="Audit packs: verify offline, samples, inspection bundles, exports, the service.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_FAILED = 1
EXIT_USAGE = 2

_INTEGRITY_ONLY = (
    "NOTE: the signature was checked with key {key_id} from the pack's own keys.json. That "
    "proves integrity (nothing changed since signing, and the pack is consistent), not "
    "authorship: anyone can sign a consistent pack with a key of their own. To prove who "
    "signed it, pass --public-key with the vendor's published public key file."
)


def _report_ok(result: "VerifyResult", previous: Path | None) -> None:
    manifest = result.manifest
    assert manifest is not None
    events = next(f.rows for f in manifest.files if f.path == "events.jsonl")
    typer.echo(
        f"OK {result.pack.name}: operator {manifest.operator_id}, "
        f"{manifest.period.start} to {manifest.period.end}, pack {manifest.pack_seq}, "
        f"{events} events, log {manifest.log.tree_size_before} -> {manifest.log.tree_size}, "
        f"root {manifest.log.root}"
    )
    if result.revision == 1:
        typer.echo(
            "Contract revision 1 (no training-register.csv): trained_before_release judged by "
            "the certificates' dates alone."
        )
    else:
        typer.echo(
            f"Contract revision {result.revision}: training-register.csv checked against the "
            "events; trained_before_release also needs every module the certificate's track "
            "version required completed by its issue."
        )
    if result.trusted_key:
        typer.echo(f"Signature verified with the given public key (key id {manifest.key_id}).")
    else:
        typer.echo(_INTEGRITY_ONLY.format(key_id=manifest.key_id))
    if previous is not None:
        typer.echo(f"Continues {previous.name}: pack_seq, manifest hash, log size and root.")
    else:
        typer.echo("Continuity not checked: pass --previous with the previous day's pack.")


@app.command()
def verify(
    pack: Annotated[
        Path,
        typer.Argument(
            help="The pack zip.", metavar="PACK", exists=True, dir_okay=False, readable=True
        ),
    ],
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="The operator's previous pack, to check the chain.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            metavar="KEY",
            help="Trusted key: a public key file (academy-audit-public-keys.json, or PEM) "
            "or a base64 raw Ed25519 public key.",
        ),
    ] = None,
) -> None:
    """Verify PACK offline; exit 0 only if every check holds."""
    from audit_export.domain.public_keys import KeyLoadError, load_trusted_keys
    from audit_export.domain.verify import verify_pack

    trusted = None
    if public_key is not None:
        try:
            trusted = load_trusted_keys(public_key)
        except KeyLoadError as exc:
            typer.echo(f"error: --public-key: {exc}", err=True)
            raise typer.Exit(EXIT_USAGE) from exc
    result = verify_pack(pack, previous=previous, trusted_keys=trusted)
    if not result.ok:
        typer.echo(f"FAILED {pack.name}: {len(result.failures)} check(s) failed")
        for finding in result.failures:
            typer.echo(f"  {finding}")
        raise typer.Exit(EXIT_FAILED)
    _report_ok(result, previous)


@app.command()
def sample(
    outdir: Annotated[
        Path, typer.Argument(help="Directory to write into.", metavar="OUTDIR", file_okay=False)
    ],
) -> None:
    """Write two consecutive sample packs for a fictional operator, and the public key file."""
    from audit_export.sample import write_sample

    paths = write_sample(outdir)
    for path in paths:
        typer.echo(f"wrote {path}")
    first, second, keys = paths
    typer.echo(f"try: academy audit verify {second} --previous {first} --public-key {keys}")


@app.command("public-keys")
def public_keys(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Print the public key file of the configured signing keys (AUDIT_EXPORT_SIGNING_KEYS).

    Publish it to operators and inspectors before a new key starts signing.
    """
    from audit_export.domain.public_keys import KeyLoadError, export_public_keys
    from audit_export.settings import AuditExportSettings

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
    from audit_export.domain.pack import PackBuildError
    from audit_export.domain.public_keys import KeyLoadError
    from audit_export.domain.signing import NoSigningKeyError
    from audit_export.service.inspection import InspectionError
    from audit_export.service.packs import ChainError, PackIntegrityError

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
    from audit_export.app import wire
    from audit_export.domain.inspection import InspectionScope
    from audit_export.service.inspection import (
        Requester,
        check_scope,
        export_bundle,
        record_request,
    )
    from audit_export.settings import AuditExportSettings
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
            runtime.engine,
            scope,
            path,
            now=now,
            has_target=operator_id in wiring.targets,
        )
        requester = Requester(f"cli:{getpass.getuser()}", reason)
        await record_request(wiring.workshop, runtime, scope, requester, now=now)
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
