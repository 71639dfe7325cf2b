"""`academy audit`: verify audit packs offline, and write sample packs."""

from pathlib import Path
from typing import Annotated

import typer

from audit_export.domain.public_keys import KeyLoadError, load_trusted_keys
from audit_export.domain.verify import VerifyResult, verify_pack
from audit_export.sample import write_sample

app = typer.Typer(
    name="audit",
    help="Audit packs: verify them offline; write sample packs.",
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


def _report_ok(result: VerifyResult, previous: Path | None) -> None:
    manifest = result.manifest
    assert manifest is not None
    events = next(f.rows for f in manifest.files if f.path == "events.jsonl")
    typer.echo(
        f"OK {result.pack.name}: operator {manifest.operator_id}, "
        f"{manifest.period.start} to {manifest.period.end}, pack {manifest.pack_seq}, "
        f"{events} events, log {manifest.log.tree_size_before} -> {manifest.log.tree_size}, "
        f"root {manifest.log.root}"
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
    paths = write_sample(outdir)
    for path in paths:
        typer.echo(f"wrote {path}")
    first, second, keys = paths
    typer.echo(f"try: academy audit verify {second} --previous {first} --public-key {keys}")


def _add_service_commands() -> None:
    from academy_runtime.cli import add_service_commands
    from audit_export.app import MIGRATIONS, create
    from audit_export.settings import AuditExportSettings

    add_service_commands(
        app, settings_cls=AuditExportSettings, create=create, migrations_dir=MIGRATIONS
    )


_add_service_commands()
