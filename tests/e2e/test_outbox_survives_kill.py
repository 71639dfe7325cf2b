"""kill -9 a service while its outbox holds unsent events: every event still arrives, once."""

import asyncio
import signal
import time
import uuid

import asyncpg
import httpx
import pytest

from academy.local.mesh import Mesh
from academy_testkit.postgres import plain

pytestmark = pytest.mark.e2e

BROKEN_BOOTSTRAP = "127.0.0.1:1"


def _wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not healthy")


def _query(url: str, sql: str, *args: object) -> object:
    async def run() -> object:
        conn = await asyncpg.connect(plain(url))
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def _set(mesh: Mesh, token: str, operators: list[str]) -> None:
    with httpx.Client(timeout=10) as client:
        for operator in operators:
            response = client.put(
                f"{mesh.url('assessment')}/v1/admin/operators/{operator}/jurisdictions",
                json={"jurisdictions": ["MGA"], "new_operator": True},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.text


def test_killed_service_relays_its_outbox_after_restart_and_consumers_apply_once(
    mesh: Mesh, admin_token: str, database_url: str, catalogue_in_assessment: None
) -> None:
    run = uuid.uuid4().hex[:6]
    assessment = mesh.children["assessment"]
    env_key = "ASSESSMENT_KAFKA_BOOTSTRAP_SERVERS"
    good_bootstrap = assessment.env[env_key]

    # Phase 1: the broker is unreachable for assessment, so events pile up in its outbox.
    mesh.kill("assessment", signal.SIGKILL)
    assessment.env[env_key] = BROKEN_BOOTSTRAP
    mesh.restart("assessment")
    _wait_healthy(mesh.url("assessment"))
    stuck = [f"op-kill-{run}-a{n}" for n in range(15)]
    _set(mesh, admin_token, stuck)
    unsent = _query(
        database_url,
        "SELECT count(*) FROM assessment.outbox WHERE sent_at IS NULL AND key LIKE $1",
        f"op-kill-{run}-%",
    )
    assert unsent == 15

    # Phase 2: kill -9 with the outbox full, restart against the real broker, and kill it
    # again while it is relaying a second burst.
    mesh.kill("assessment", signal.SIGKILL)
    assessment.env[env_key] = good_bootstrap
    mesh.restart("assessment")
    _wait_healthy(mesh.url("assessment"))
    burst = [f"op-kill-{run}-b{n}" for n in range(40)]
    _set(mesh, admin_token, burst)
    mesh.kill("assessment", signal.SIGKILL)
    mesh.restart("assessment")
    _wait_healthy(mesh.url("assessment"))

    expected = len(stuck) + len(burst)
    deadline = time.monotonic() + 90
    logged = 0
    while time.monotonic() < deadline:
        logged = int(
            _query(
                database_url,
                "SELECT count(*) FROM audit_export.audit_log WHERE operator_id LIKE $1",
                f"op-kill-{run}-%",
            )  # type: ignore[arg-type]
        )
        if logged >= expected:
            break
        time.sleep(0.5)
    assert logged == expected
    # Each event is in the audit log exactly once, whatever the relay re-sent.
    distinct = _query(
        database_url,
        "SELECT count(DISTINCT event_id) FROM audit_export.audit_log WHERE operator_id LIKE $1",
        f"op-kill-{run}-%",
    )
    assert distinct == expected
    # The relay marks a batch sent once Kafka acknowledged all of it, which can be just after
    # the consumers logged it: wait for the marks, within the same deadline.
    unsent_after: object = None
    while time.monotonic() < deadline:
        unsent_after = _query(
            database_url,
            "SELECT count(*) FROM assessment.outbox WHERE sent_at IS NULL AND key LIKE $1",
            f"op-kill-{run}-%",
        )
        if unsent_after == 0:
            break
        time.sleep(0.5)
    assert unsent_after == 0
