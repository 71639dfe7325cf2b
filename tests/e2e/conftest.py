"""The whole mesh as processes against the test run's Postgres database and Tansu broker."""

from collections.abc import Iterator

import pytest

from academy.local.loopback import go_live_when_published
from academy.local.mesh import Mesh, mint, publish_bundled_catalogue
from academy.testing_mesh import running_mesh

#: Go-live names only jurisdictions assessment has a published track for (422 otherwise).
E2E_JURISDICTIONS = ["GSC", "MGA"]


@pytest.fixture(scope="session")
def mesh(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Mesh]:
    with running_mesh(
        tmp_path_factory.mktemp("mesh"), database_url=database_url, kafka_bootstrap=kafka_bootstrap
    ) as running:
        yield running


@pytest.fixture(scope="session")
def admin_token(mesh: Mesh) -> str:
    return mint(mesh.url("issuer"), "academy.admin", "academy-vendor", ["academy_admin"])


@pytest.fixture(scope="session")
def catalogue_in_assessment(mesh: Mesh, admin_token: str) -> None:
    """The bundled catalogue published and its tracks learned by assessment (go-live accepted)."""
    publish_bundled_catalogue(mesh)
    go_live_when_published(
        mesh.url("assessment"),
        "e2e-catalogue-probe",
        E2E_JURISDICTIONS,
        token=admin_token,
        reason="e2e: tracks reached assessment",
    )
