"""`auditpack verify` and `auditpack sample` (also `academy audit verify|sample`): an
inspector's tools, which need this library alone, never a service."""

from pathlib import Path
from typing import Annotated

import typer

from auditpack.public_keys import KeyLoadError, load_trusted_keys
from auditpack.sample import write_sample
from auditpack.verify import VerifyResult, verify_pack

app = typer.Typer(
    name="auditpack",
    help="Audit packs (academy-auditpack/1): verify offline, write samples.",
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
    ctx: typer.Context,
    outdir: Annotated[
        Path, typer.Argument(help="Directory to write into.", metavar="OUTDIR", file_okay=False)
    ],
) -> None:
    """Write two consecutive sample packs for a fictional operator, and the public key file."""
    paths = write_sample(outdir)
    for path in paths:
        typer.echo(f"wrote {path}")
    first, second, keys = paths
    verify_with = f"{ctx.parent.command_path} verify" if ctx.parent else "verify"
    typer.echo(f"try: {verify_with} {second} --previous {first} --public-key {keys}")


def main() -> None:
    app()
