"""The whole mesh as processes against the test run's Postgres database and Tansu broker."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from academy.local.mesh import Mesh, Ports, mint
from academy.local.ports import free_port


@pytest.fixture(scope="session")
def mesh(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Mesh]:
    ports = Ports(**{name: free_port() for name in Ports.__dataclass_fields__})
    state: Path = tmp_path_factory.mktemp("mesh")
    running = Mesh(
        state_dir=state,
        ports=ports,
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        session_timeout_ms=1000,
    )
    running.start_infrastructure()
    running.start_processes()
    try:
        running.wait_ready(timeout=120)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def admin_token(mesh: Mesh) -> str:
    return mint(mesh.url("issuer"), "academy.admin", "academy-vendor", ["academy_admin"])
