"""`academy`: the single entry point (local mesh, services, content, release, audit).

The service command groups are imported only when one of them runs, so `academy --help` and
`academy token` start without loading FastAPI, SQLAlchemy, FastStream or any service.
"""

import asyncio
import importlib
import logging
import os
import signal
import time
import urllib.error
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from academy_runtime.cli import (
    EXIT_USAGE,
    PORT_OFFSETS,
    base_port,
    exit_with_api_error,
    identifier,
    local_port,
    local_url_default,
    local_url_shown,
    parse_body,
    use_base_port,
)
from contracts import identifiers

#: The service command groups: name -> (module whose `app` is the Typer group, one-line help).
SERVICE_APPS: dict[str, tuple[str, str]] = {
    "catalogue": ("catalogue.cli", "Catalogue: content, publish, serve."),
    "assessment": ("assessment.cli", "Assessment service: training, exams, certificates."),
    "release": ("release_bridge.cli", "Release bridge: portal webhooks, breaker, overrides."),
    "audit": ("audit_export.cli", "Audit export: packs, verify, serve."),
    "dlq": ("academy_runtime.dlq_cli", "Dead letters of every service: list, show, replay, purge."),
}

#: Commands of a group that a library serves alone: `academy audit verify|sample` run the
#: audit pack format library's commands without importing the audit-export service.
LIBRARY_COMMANDS: dict[str, tuple[str, frozenset[str]]] = {
    "audit": ("auditpack.cli", frozenset({"verify", "sample"})),
}

app = typer.Typer(
    help="Licensing Academy: certification platform for regulated iGaming onboarding.",
    no_args_is_help=True,
)


def _mount(name: str, module: str, summary: str) -> None:
    """`academy NAME …` hands its arguments (`--help` too) to the group in `module`, imported
    only then: the other commands never load a service."""

    @app.command(
        name,
        help=summary,
        add_help_option=False,
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )
    def run(ctx: typer.Context) -> None:
        library, commands = LIBRARY_COMMANDS.get(name, (module, frozenset()))
        chosen = library if ctx.args and ctx.args[0] in commands else module
        group = typer.main.get_group(importlib.import_module(chosen).app)
        group.help = summary
        group.main(args=list(ctx.args), prog_name=ctx.command_path)


dev = typer.Typer(help="Local development components (issuer, portal, SFTP archive).")
app.add_typer(dev, name="dev")

STATE_DIR = Path(os.environ.get("ACADEMY_STATE_DIR", ".state/local"))
_LAYOUT = ", ".join(f"{name} +{offset}" for name, offset in PORT_OFFSETS.items() if offset)


def _base_port_option(help_text: str, **more: Any) -> Any:
    return typer.Option(
        "--base-port",
        min=1,
        max=65535 - max(PORT_OFFSETS.values()),
        show_default=False,
        help=f"The local mesh's first port (default 8100): the issuer; {_LAYOUT}. {help_text}",
        **more,
    )


@app.callback()
def options(
    chosen: Annotated[
        int | None,
        _base_port_option(
            "Every default URL of every command follows it.", envvar="ACADEMY_BASE_PORT"
        ),
    ] = None,
) -> None:
    if chosen is not None:
        use_base_port(chosen)


def _http_url(value: str | None) -> str | None:
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise typer.BadParameter(f"{value!r} is not an http(s) URL")
    return value


def _webhook_secret(value: str | None) -> str | None:
    from release_bridge.domain.signing import InvalidWebhookSecretError, WebhookSecret

    if value is not None:
        try:
            WebhookSecret.parse(value)
        except InvalidWebhookSecretError as exc:
            raise typer.BadParameter(f"{exc} (e.g. whsec_ and 32 random bytes in base64)") from exc
    return value


@app.command()
def up(
    state_dir: Annotated[
        Path, typer.Option(help="Keys, logs and embedded Postgres data")
    ] = STATE_DIR,
    kafka_port: Annotated[int, typer.Option(envvar="ACADEMY_KAFKA_PORT")] = 19092,
    chosen_base_port: Annotated[
        int | None, _base_port_option("Or `academy --base-port`, ACADEMY_BASE_PORT.")
    ] = None,
    seed: Annotated[bool, typer.Option(help="Seed the demo operator")] = True,
    portal_url: Annotated[
        str | None,
        typer.Option(
            envvar="ACADEMY_PORTAL_URL",
            callback=_http_url,
            help="Deliver release webhooks to this portal (a portal team's staging, a test "
            "receiver) instead of the reference portal, which is then not started.",
        ),
    ] = None,
    portal_secret: Annotated[
        str | None,
        typer.Option(
            envvar="ACADEMY_PORTAL_SECRET",
            callback=_webhook_secret,
            help="That portal's whsec_ signing secret (with --portal-url).",
        ),
    ] = None,
) -> None:
    """Run the whole mesh on 127.0.0.1 until Ctrl-C (DATABASE_URL or an embedded Postgres)."""
    from academy.local.mesh import ExternalPortal, Mesh, Ports, seed_demo
    from academy.local.welcome import welcome

    if (portal_url is None) != (portal_secret is None):
        raise typer.BadParameter(
            "give both or neither: the bridge signs with the secret the portal at the URL knows",
            param_hint="'--portal-url' and '--portal-secret'",
        )
    portal = ExternalPortal(portal_url, portal_secret) if portal_url and portal_secret else None
    ports = Ports.from_base(chosen_base_port or base_port(), kafka=kafka_port)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    mesh = Mesh(state_dir=state_dir.resolve(), ports=ports, portal=portal)
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
        mesh.write_audit_public_keys()
        typer.echo(welcome(mesh, took, tokens))
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
    issuer: Annotated[
        str,
        typer.Option(
            envvar="ACADEMY_ISSUER_URL",
            default_factory=local_url_default("issuer"),
            show_default=local_url_shown("issuer"),
            help="The development issuer (default: the local mesh's, following --base-port).",
        ),
    ],
    sub: Annotated[
        str, typer.Option(help="staff id", callback=identifier(identifiers.STAFF))
    ] = "alice",
    operator_id: Annotated[
        str, typer.Option(help="tenant", callback=identifier(identifiers.OPERATOR))
    ] = "demo-operator",
    role: Annotated[
        list[str] | None,
        typer.Option(
            help="group/role; repeat for several [default: compliance_officer]",
            callback=identifier(identifiers.ROLE),
        ),
    ] = None,
) -> None:
    """Mint a development bearer token from the running dev issuer."""
    from academy.local.loopback import mint

    try:
        typer.echo(mint(issuer, sub, operator_id, role or ["compliance_officer"]))
    except urllib.error.HTTPError as exc:
        exit_with_api_error(exc.code, parse_body(exc.read()))
    except OSError as exc:
        reason = getattr(exc, "reason", exc)
        typer.echo(
            f"cannot reach the development issuer at {issuer}: {reason}; is `academy up` "
            "running, on this base port (--base-port, ACADEMY_BASE_PORT)?",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE) from exc


@dev.command("issuer")
def dev_issuer(
    port: Annotated[int | None, typer.Option(help="default: the base port")] = None,
    key_file: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Serve the development OIDC issuer (JWKS + token minting)."""
    import uvicorn

    from academy_testkit.issuer import DevIssuer, create_app

    port = port or local_port("issuer")
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
    port: Annotated[int | None, typer.Option(help="default: the base port + 22")] = None,
    state_dir: Annotated[Path, typer.Option()] = STATE_DIR,
    operator: Annotated[
        list[str],
        typer.Option(
            help="operator directory to create", callback=identifier(identifiers.OPERATOR)
        ),
    ] = [],  # noqa: B006
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
            port=port or local_port("sftp"),
            host_key=host_key,
            client_public_key=Path(str(client_key) + ".pub"),
            operators=list(operator),
        )
    )


for _name, (_module, _summary) in SERVICE_APPS.items():
    _mount(_name, _module, _summary)


def main() -> None:
    app()
