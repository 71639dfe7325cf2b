"""`academy`: the single entry point (local mesh, services, content, release, audit)."""

import asyncio
import logging
import os
import signal
import time
from pathlib import Path
from typing import Annotated

import typer

from assessment.cli import app as assessment_app
from audit_export.cli import app as audit_app
from catalogue.cli import app as catalogue_app
from release_bridge.cli import app as release_app

app = typer.Typer(
    help="Licensing Academy: certification platform for regulated iGaming onboarding.",
    no_args_is_help=True,
)
dev = typer.Typer(help="Local development components (issuer, portal, SFTP archive).")
app.add_typer(dev, name="dev")
app.add_typer(assessment_app, name="assessment")
app.add_typer(release_app, name="release")

STATE_DIR = Path(os.environ.get("ACADEMY_STATE_DIR", ".state/local"))


app.add_typer(catalogue_app, name="catalogue", help="Catalogue: content, publish, serve.")
app.add_typer(audit_app, name="audit", help="Audit export: packs, verify, serve.")


@app.command()
def up(
    state_dir: Annotated[
        Path, typer.Option(help="Keys, logs and embedded Postgres data")
    ] = STATE_DIR,
    kafka_port: Annotated[int, typer.Option(envvar="ACADEMY_KAFKA_PORT")] = 19092,
    base_port: Annotated[
        int, typer.Option(envvar="ACADEMY_BASE_PORT", help="issuer=base, services base+1..+4")
    ] = 8100,
    seed: Annotated[bool, typer.Option(help="Seed the demo operator")] = True,
) -> None:
    """Run the whole mesh on 127.0.0.1 until Ctrl-C (DATABASE_URL or an embedded Postgres)."""
    from academy.local.mesh import Mesh, Ports, seed_demo

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    mesh = Mesh(state_dir=state_dir.resolve(), ports=Ports.from_base(base_port, kafka=kafka_port))
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        typer.echo("starting Postgres and the Tansu broker …")
        mesh.start_infrastructure()
        typer.echo("starting services …")
        mesh.start_processes()
        took = mesh.wait_ready()
        tokens = seed_demo(mesh) if seed else {}
        _print_welcome(mesh, took, tokens)
        while not stopping:
            time.sleep(0.5)
            for name in mesh.dead_children():
                typer.echo(f"{name} exited; restarting (log: {mesh.log_path(name)})", err=True)
                mesh.restart(name)
    except Exception as exc:
        typer.echo(f"academy up failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        typer.echo("stopping the mesh …")
        mesh.stop()
        typer.echo("stopped; no process left running.")


def _print_welcome(mesh: object, took: dict[str, float], tokens: dict[str, str]) -> None:
    from academy.local.mesh import DEMO_OPERATOR, Mesh

    assert isinstance(mesh, Mesh)
    typer.echo("\nLicensing Academy is running (all on 127.0.0.1):")
    for name in mesh.children:
        if name == "sftp-archive":
            key = mesh.state_dir / "sftp" / "client_key"
            typer.echo(f"  {name:15} sftp://archive@127.0.0.1:{mesh.ports.sftp}  (key: {key})")
            continue
        typer.echo(f"  {name:15} {mesh.url(name)}  (ready in {took.get(name, 0)}s)")
    typer.echo(f"  {'kafka':15} {mesh.kafka_bootstrap}")
    typer.echo(f"  {'postgres':15} {mesh.database_url}")
    typer.echo(f"\nDemo operator: {DEMO_OPERATOR}. API docs: {mesh.url('assessment')}/docs")
    query = f"sub=alice&operator_id={DEMO_OPERATOR}&groups=compliance_officer"
    typer.echo(f"Mint a token: curl '{mesh.url('issuer')}/token?{query}'")
    for role, token in tokens.items():
        typer.echo(f"\n{role} token (12 h):\n{token}")
    typer.echo(f"\nLogs: {mesh.state_dir}/logs/. Press Ctrl-C to stop everything.")


@app.command()
def demo(
    state_dir: Annotated[Path, typer.Option(help="Wiped at start")] = Path(".state/demo"),
    base_port: Annotated[int, typer.Option(envvar="ACADEMY_DEMO_BASE_PORT")] = 8300,
    kafka_port: Annotated[int, typer.Option(envvar="ACADEMY_DEMO_KAFKA_PORT")] = 19392,
) -> None:
    """Scripted pilot onboarding against a fresh mesh; exits 0 only if all came out as expected."""
    from academy.demo import run_demo

    raise typer.Exit(run_demo(state_dir=state_dir, base_port=base_port, kafka_port=kafka_port))


@app.command()
def token(
    sub: Annotated[str, typer.Option(help="staff id")] = "alice",
    operator_id: Annotated[str, typer.Option(help="tenant")] = "demo-operator",
    role: Annotated[list[str] | None, typer.Option(help="group/role; repeat for several")] = None,
    issuer: Annotated[str, typer.Option(envvar="ACADEMY_ISSUER_URL")] = "http://127.0.0.1:8100",
) -> None:
    """Mint a development bearer token from the running dev issuer."""
    from academy.local.mesh import mint

    typer.echo(mint(issuer, sub, operator_id, role or ["compliance_officer"]))


@dev.command("issuer")
def dev_issuer(
    port: int = 8100,
    key_file: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Serve the development OIDC issuer (JWKS + token minting)."""
    import uvicorn

    from academy.local.issuer import DevIssuer, create_app

    issuer = DevIssuer(f"http://127.0.0.1:{port}", key_file=key_file)
    uvicorn.run(create_app(issuer), host="127.0.0.1", port=port, log_level="warning")


@dev.command("portal")
def dev_portal() -> None:
    """Serve the reference partner portal (settings from PORTAL_* variables)."""
    from academy.local.portal import PortalSettings, create, create_schema
    from academy_runtime.app import serve
    from academy_runtime.cli import load_settings

    settings = load_settings(PortalSettings)
    fastapi_app, runtime = create(settings)
    asyncio.run(create_schema(runtime))
    serve(fastapi_app, runtime)


@dev.command("sftp")
def dev_sftp(
    port: int = 8122,
    state_dir: Annotated[Path, typer.Option()] = STATE_DIR,
    operator: Annotated[list[str], typer.Option(help="operator directory to create")] = [],  # noqa: B006
) -> None:
    """Serve the local SFTP compliance archive (key auth, one directory per operator)."""
    from academy.local import sftp_archive

    sftp_dir = state_dir / "sftp"
    host_key = sftp_dir / "host_key"
    client_key = sftp_dir / "client_key"
    sftp_archive.ensure_key(host_key)
    sftp_archive.ensure_key(client_key)
    asyncio.run(
        sftp_archive.run_forever(
            root=sftp_dir / "archive",
            port=port,
            host_key=host_key,
            client_public_key=Path(str(client_key) + ".pub"),
            operators=list(operator),
        )
    )


def main() -> None:
    app()
