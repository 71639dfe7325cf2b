"""Fixtures: the audit-export service on the test run's Postgres, a signing key, a real sshd."""

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from audit_export_harness import FakeClock, Harness, signing_keys_json

from academy_testkit.sshd import OpenSshServer
from audit_export.app import create
from audit_export.settings import AuditExportSettings

SSHD = Path(os.environ.get("ACADEMY_SSHD", "/usr/sbin/sshd"))


@pytest.fixture(scope="session")
def signing_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "audit-signing.seed"
    path.write_bytes(os.urandom(32))
    return path


@pytest.fixture
async def make_harness(
    database_url: str, signing_key_file: Path, tmp_path: Path
) -> AsyncIterator[Callable[..., Harness]]:
    """Build the service (no broker, no scheduler task) with settings overrides."""
    built: list[Harness] = []

    def build(*, uploader: Any = None, clock: FakeClock | None = None, **overrides: Any) -> Harness:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": database_url,
            "signing_keys": signing_keys_json(signing_key_file),
            "export_attempt_backoff_s": 0,
            "export_work_dir": tmp_path,
            "sftp_connect_timeout_s": 5,
        }
        values.update(overrides)
        settings = AuditExportSettings(**values)
        fake_clock = clock or FakeClock()
        app, runtime = create(settings, clock=fake_clock, uploader=uploader, scheduler=False)
        harness = Harness(app=app, runtime=runtime, clock=fake_clock)
        built.append(harness)
        return harness

    yield build
    for harness in built:
        await harness.runtime.engine.dispose()


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[OpenSshServer]:
    """A real OpenSSH sshd on a free loopback port (key auth; stopped at teardown)."""
    if not SSHD.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SSHD} is missing (install openssh-server: make system-deps)")
        pytest.skip(f"{SSHD} is not installed")
    server = OpenSshServer(tmp_path / "sshd")
    server.start()
    yield server
    server.stop()
