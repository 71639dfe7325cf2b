"""The whole mesh as processes against the test run's Postgres database and Tansu broker."""

import time
from collections.abc import Iterator

import httpx
import pytest

from academy.local.mesh import Mesh, mint, publish_bundled_catalogue
from academy.testing.fixtures import running_mesh

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
    probe = {"jurisdictions": E2E_JURISDICTIONS, "new_operator": True}
    deadline = time.monotonic() + 120
    while True:
        response = httpx.put(
            f"{mesh.url('assessment')}/v1/admin/operators/e2e-catalogue-probe/jurisdictions",
            json=probe,
            headers={"Authorization": f"Bearer {admin_token}"},
            timeout=10,
        )
        if response.status_code != 422 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert response.status_code == 200, response.text
