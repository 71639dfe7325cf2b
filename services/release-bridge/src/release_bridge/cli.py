"""`academy release …` commands: serve and migrate, plus the support overrides.

The service itself is imported only by `serve` and `migrate`; the support commands need none of it.
"""

from typing import TYPE_CHECKING

import typer

from academy_runtime.cli import ServiceParts, add_service_commands
from release_bridge.entrypoints.support_cli import register

if TYPE_CHECKING:
    from release_bridge.settings import ReleaseBridgeSettings


def _service() -> "ServiceParts[ReleaseBridgeSettings]":
    from release_bridge.app import MIGRATIONS, create
    from release_bridge.settings import ReleaseBridgeSettings

    return ServiceParts(ReleaseBridgeSettings, create, MIGRATIONS)


app = typer.Typer(help="Release bridge: portal webhooks, breaker, overrides.", no_args_is_help=True)
add_service_commands(app, name="release-bridge", load=_service)
register(app)


def main() -> None:
    """`academy-release-bridge`: the service's own command (the image's entrypoint)."""
    app()
