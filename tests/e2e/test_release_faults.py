"""Release bridge fault tests against the reference portal, with the whole mesh as processes.

Certificates and policies are published onto Kafka as the assessment and catalogue services
would; each test uses a fresh jurisdiction and fresh operators. The portal verifies with PyPI
`standardwebhooks`, dedupes by webhook-id and counts unlocks per operator and jurisdiction.
"""

import asyncio
import json
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from academy.local.mesh import Mesh, mint
from academy_testkit.postgres import plain
from contracts import Envelope, encode
from contracts.assessment import CertificationIssued
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ReleasePolicy, RoleRequirement

pytestmark = pytest.mark.e2e
T = TypeVar("T")
BRIDGE = "release-bridge"
RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "release-bridge.rules.yml"


# -- helpers ---------------------------------------------------------------------------------
def _wait(check: Callable[[], T], what: str, timeout: float = 90.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _sql(database_url: str, query: str, *args: object) -> list[Any]:
    async def run() -> list[Any]:
        conn = await asyncpg.connect(plain(database_url))
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def _publish(bootstrap: str, *envelopes: Envelope[Any]) -> None:
    async def run() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            for envelope in envelopes:
                record = encode(envelope)
                headers = [(k, v.encode()) for k, v in record.headers.items()]
                await producer.send_and_wait(
                    record.topic, record.value, key=record.key, headers=headers
                )
        finally:
            await producer.stop()

    asyncio.run(run())


def _policy(jurisdiction: str) -> Envelope[Any]:
    policy = ReleasePolicy(
        jurisdiction=jurisdiction,
        requirements=[RoleRequirement(role="compliance_officer")],
        tooling=[f"{jurisdiction.lower()}-licensing-suite"],
    )
    data = ReleasePolicyPublished(
        policy=policy, version="1", catalogue_version="e2e", published_at=datetime.now(UTC)
    )
    return Envelope(data=data, tenantid="_platform", source="/academy/catalogue")


def _certificate(operator: str, jurisdiction: str) -> Envelope[Any]:
    passed = datetime.now(UTC) - timedelta(minutes=5)
    data = CertificationIssued(
        certificate_id=f"cert-{uuid.uuid4().hex[:10]}",
        staff_id=f"{operator}-officer",
        staff_name="Olive Officer",
        role="compliance_officer",
        jurisdiction=jurisdiction,
        track_version=f"{jurisdiction.lower()}-2026.1",
        attempt_id=f"attempt-{uuid.uuid4().hex[:8]}",
        passed_at=passed,
        expires_at=passed + timedelta(days=548),
        verification_code="E2E-CODE",
    )
    return Envelope(data=data, tenantid=operator, source="/academy/assessment")


def _scenario(mesh: Mesh, bootstrap: str, operators: int) -> tuple[str, list[str]]:
    """A fresh jurisdiction with a policy, and that many fresh operators to certify."""
    run = uuid.uuid4().hex[:6]
    jurisdiction = f"E{run.upper()}"
    _publish(bootstrap, _policy(jurisdiction))
    return jurisdiction, [f"op-{run}-{n}" for n in range(operators)]


def _certify(bootstrap: str, jurisdiction: str, *operators: str) -> None:
    _publish(bootstrap, *(_certificate(op, jurisdiction) for op in operators))


def _unlocks(mesh: Mesh, jurisdiction: str) -> dict[str, dict[str, Any]]:
    answer = httpx.get(f"{mesh.url('portal')}/unlocks", timeout=10)
    if answer.status_code != 200:  # a portal still coming back: shown if the wait times out
        print(f"portal /unlocks answered {answer.status_code}: {answer.text[:300]}")
        return {}
    rows = answer.json()
    return {row["operator_id"]: row for row in rows if row["jurisdiction"] == jurisdiction}


def _all_unlocked(mesh: Mesh, jurisdiction: str, operators: list[str]) -> dict[str, Any]:
    def check() -> dict[str, Any]:
        unlocks = _unlocks(mesh, jurisdiction)
        return unlocks if set(operators) <= set(unlocks) else {}

    return _wait(check, f"unlocks of {operators}", timeout=120)


def _deliveries(database_url: str, jurisdiction: str) -> list[Any]:
    return _sql(
        database_url,
        "SELECT webhook_id, operator_id, status, attempts FROM release_bridge.deliveries "
        "WHERE jurisdiction = $1 ORDER BY seq",
        jurisdiction,
    )


def _all_delivered(database_url: str, jurisdiction: str, count: int) -> list[Any]:
    """The jurisdiction's deliveries once the bridge recorded the portal's 2xx for all."""

    def check() -> list[Any]:
        rows = _deliveries(database_url, jurisdiction)
        done = len(rows) == count and all(row["status"] == "delivered" for row in rows)
        return rows if done else []

    return _wait(check, f"{count} deliveries acknowledged")


def _attempts(database_url: str, webhook_id: str) -> list[Any]:
    return _sql(
        database_url,
        "SELECT attempt, status_code, verdict, next_step, finished_at, error_kind "
        "FROM release_bridge.delivery_attempts WHERE webhook_id = $1 ORDER BY id",
        webhook_id,
    )


def _breaker_causes(database_url: str, since: datetime) -> list[str]:
    rows = _sql(
        database_url,
        "SELECT convert_from(payload, 'UTF8')::jsonb AS data FROM release_bridge.outbox "
        "WHERE headers ->> 'ce_type' = 'academy.breaker.transitioned.v1' ORDER BY id",
    )
    events = [json.loads(row["data"]) for row in rows]
    return [e["cause"] for e in events if datetime.fromisoformat(e["at"]) >= since]


def _portal(mesh: Mesh, mode: str = "ok", delay_s: float = 0.0) -> None:
    body = {"mode": mode, "delay_s": delay_s}
    assert httpx.put(f"{mesh.url('portal')}/_control", json=body, timeout=10).status_code == 200


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def _restart(mesh: Mesh, name: str = BRIDGE, sig: int = signal.SIGKILL) -> None:
    mesh.kill(name, sig)
    mesh.restart(name)
    _wait(lambda: _ready(mesh.url(name)), f"{name} ready again")


def _support_token(mesh: Mesh) -> str:
    return mint(mesh.url("issuer"), "sam.support", "academy-vendor", ["academy_support"])


def _reset_breaker(mesh: Mesh, url: str | None = None) -> None:
    response = httpx.post(
        f"{url or mesh.url(BRIDGE)}/v1/support/breakers/portal/reset",
        json={"reason": "e2e test starts from a closed breaker"},
        headers={"Authorization": f"Bearer {_support_token(mesh)}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def _metric(url: str, series: str) -> float:
    for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not exported")


@pytest.fixture
def bridge(mesh: Mesh) -> Iterator[Mesh]:
    """The mesh with a healthy portal and a closed breaker; restored whatever the test did."""
    _portal(mesh)
    _reset_breaker(mesh)
    yield mesh
    _portal(mesh)


# -- the tests -------------------------------------------------------------------------------
def test_certified_officer_unlocks_tooling_once_with_a_verified_webhook(
    bridge: Mesh, kafka_bootstrap: str, database_url: str
) -> None:
    jurisdiction, [operator] = _scenario(bridge, kafka_bootstrap, 1)
    _certify(kafka_bootstrap, jurisdiction, operator)
    _certify(kafka_bootstrap, jurisdiction, operator)  # a second pass: same epoch

    unlock = _all_unlocked(bridge, jurisdiction, [operator])[operator]

    assert (unlock["state"], unlock["times_unlocked"], unlock["deliveries"]) == ("unlocked", 1, 1)
    [delivery] = _all_delivered(database_url, jurisdiction, 1)
    assert (delivery["webhook_id"], delivery["attempts"]) == (unlock["release_id"], 1)


@pytest.mark.parametrize(
    "down_s", [20, pytest.param(120, marks=pytest.mark.resilience, id="two-minutes")]
)
def test_portal_down_then_back_loses_no_release(
    bridge: Mesh, kafka_bootstrap: str, database_url: str, down_s: int
) -> None:
    jurisdiction, operators = _scenario(bridge, kafka_bootstrap, 4)
    started = datetime.now(UTC)
    bridge.kill("portal", signal.SIGKILL)
    went_down = time.monotonic()
    try:
        _certify(kafka_bootstrap, jurisdiction, *operators)

        def failing() -> bool:
            rows = _deliveries(database_url, jurisdiction)
            return len(rows) == 4 and all(row["attempts"] >= 2 for row in rows)

        _wait(failing, "deliveries failing against the dead portal")
        time.sleep(max(0.0, down_s - (time.monotonic() - went_down)))
    finally:
        bridge.restart("portal")
    _wait(lambda: _ready(bridge.url("portal")), "portal back")

    unlocks = _all_unlocked(bridge, jurisdiction, operators)

    assert [unlocks[op]["times_unlocked"] for op in operators] == [1, 1, 1, 1]
    for row in _all_delivered(database_url, jurisdiction, 4):
        kinds = [a["error_kind"] for a in _attempts(database_url, row["webhook_id"])]
        assert kinds[0] == "connect"
        assert kinds[-1] is None
    # The outage opened the breaker on its failure rate; probes closed it once it was back.
    assert {"failure_rate", "probes_succeeded"} <= set(_breaker_causes(database_url, started))


def test_portal_answering_500_then_recovering_delivers_everything_once(
    bridge: Mesh, kafka_bootstrap: str, database_url: str
) -> None:
    jurisdiction, operators = _scenario(bridge, kafka_bootstrap, 3)
    _portal(bridge, "fail_500")
    _certify(kafka_bootstrap, jurisdiction, *operators)

    def retried() -> bool:
        rows = _deliveries(database_url, jurisdiction)
        return len(rows) == 3 and all(row["attempts"] >= 2 for row in rows)

    _wait(retried, "deliveries retried against the failing portal")
    _portal(bridge, "ok")
    unlocks = _all_unlocked(bridge, jurisdiction, operators)

    assert [unlocks[op]["times_unlocked"] for op in operators] == [1, 1, 1]
    for row in _all_delivered(database_url, jurisdiction, 3):
        codes = [a["status_code"] for a in _attempts(database_url, row["webhook_id"])]
        assert codes[:2] == [500, 500]
        assert codes[-1] == 204
