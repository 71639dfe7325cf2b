"""The whole local mesh as processes for e2e tests and benchmarks (imported where used; the
fixtures that need only Postgres and Tansu are academy_testkit's)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from academy.local.mesh import ExternalPortal, Mesh, Ports
from academy_testkit.ports import free_port

M = TypeVar("M", bound=Mesh)


@contextmanager
def running_mesh(
    state_dir: Path,
    *,
    database_url: str,
    kafka_bootstrap: str | None = None,
    mesh_cls: type[M] = Mesh,  # type: ignore[assignment]
    only: frozenset[str] | None = None,
    portal: ExternalPortal | None = None,
) -> Iterator[M]:
    """The mesh (or the `only` children) as processes on free ports, ready; always stopped."""
    running = mesh_cls(
        state_dir=state_dir,
        ports=Ports(**{name: free_port() for name in Ports.__dataclass_fields__}),
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        session_timeout_ms=1000,
        only=only,
        portal=portal,
    )
    try:
        running.start_infrastructure()
        running.start_processes()
        running.wait_ready(timeout=180)
        yield running
    finally:
        running.stop()
