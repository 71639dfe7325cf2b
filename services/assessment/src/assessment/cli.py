"""`academy assessment …` commands (the service is imported only when one runs)."""

from typing import TYPE_CHECKING

import typer

from academy_runtime.cli import ServiceParts, add_service_commands

if TYPE_CHECKING:
    from assessment.settings import AssessmentSettings


def _service() -> "ServiceParts[AssessmentSettings]":
    from assessment.app import MIGRATIONS, create
    from assessment.settings import AssessmentSettings

    return ServiceParts(AssessmentSettings, create, MIGRATIONS)


app = typer.Typer(help="Assessment service: training, exams, certificates.", no_args_is_help=True)
add_service_commands(app, name="assessment", load=_service)


def main() -> None:
    """`academy-assessment`: the service's own command (the image's entrypoint)."""
    app()
