"""`academy release …` commands: serve and migrate, plus the support overrides."""

import typer

from academy_runtime.cli import add_service_commands
from release_bridge.app import MIGRATIONS, create
from release_bridge.entrypoints.support_cli import register
from release_bridge.settings import ReleaseBridgeSettings

app = typer.Typer(help="Release bridge: portal webhooks, breaker, overrides.", no_args_is_help=True)
add_service_commands(
    app, settings_cls=ReleaseBridgeSettings, create=create, migrations_dir=MIGRATIONS
)
register(app)
