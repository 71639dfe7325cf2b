"""The whole mesh as processes against the test run's Postgres database and Tansu broker."""

from collections.abc import Iterator

import pytest

from academy.local.mesh import Mesh, mint
from academy.testing.fixtures import running_mesh


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
