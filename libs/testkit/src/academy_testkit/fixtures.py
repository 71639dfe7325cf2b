"""pytest fixtures: a real Postgres database per test run, a real Tansu broker, a real browser.

Loaded by the root conftest.py (`pytest_plugins`); the whole mesh's fixture is academy's.
"""

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.async_api import Browser

from academy_runtime import migrations
from academy_runtime.settings import ServiceSettings
from academy_testkit import postgres, tansu
from academy_testkit.browser import launched_chromium
from academy_testkit.ports import free_port

S = TypeVar("S", bound=ServiceSettings)
STATE = Path(os.environ.get("ACADEMY_TEST_STATE", Path.cwd() / ".state" / "test"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """DATABASE_URL, else the server on 127.0.0.1:5432, else an embedded pgserver."""
    url, handle = postgres.server_url(prefer_local=True, data_dir=STATE / "pgdata")
    yield url
    if handle is not None:
        handle.cleanup()


@pytest.fixture(scope="session")
def database_url(pg_server: str) -> Iterator[str]:
    """A fresh database for this test run with every installed service's migrations applied."""
    name = f"academy_test_{uuid.uuid4().hex[:10]}"
    url = postgres.create_database(pg_server, name)
    migrations.upgrade_installed(url)
    yield url
    postgres.drop_database(pg_server, name)


@contextmanager
def running_tansu(label: str = "tansu") -> Iterator[str]:
    """Start a real Tansu broker on a free loopback port; yields its bootstrap address."""
    port = free_port()
    STATE.mkdir(parents=True, exist_ok=True)
    with (STATE / f"{label}-{port}.log").open("wb") as log:
        process = tansu.start(port, log=log)
        try:
            yield f"127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real Tansu broker on a free loopback port, shared by the test run."""
    with running_tansu() as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium for the run; open pages with `browser.offline_page`."""
    async with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def make_settings(database_url: str, kafka_bootstrap: str) -> Callable[..., Any]:
    """Build a service's settings pointed at the test database and broker."""

    def build(settings_cls: type[S], **overrides: Any) -> S:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": database_url,
            "kafka_bootstrap_servers": kafka_bootstrap,
            "kafka_session_timeout_ms": 1000,
            "kafka_heartbeat_interval_ms": 300,
            "outbox_poll_interval_s": 0.1,
            "consumer_group": f"test-{uuid.uuid4().hex[:8]}",
        }
        values.update(overrides)
        return settings_cls(**values)

    return build
