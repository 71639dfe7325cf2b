"""`academy assessment …` commands."""

import typer

from academy_runtime.cli import add_service_commands
from assessment.app import MIGRATIONS, create
from assessment.settings import AssessmentSettings

app = typer.Typer(help="Assessment service: training, exams, certificates.", no_args_is_help=True)
add_service_commands(app, settings_cls=AssessmentSettings, create=create, migrations_dir=MIGRATIONS)
