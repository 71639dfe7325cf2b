"""Release bridge crashes and replicas: kill -9 mid-delivery, and two bridges on one database."""

import signal
import uuid
from collections.abc import Iterator

import httpx
import pytest
from test_release_faults import (
    BRIDGE,
    _all_delivered,
    _all_unlocked,
    _attempts,
    _certify,
    _deliveries,
    _metric,
    _policy,
    _portal,
    _publish,
    _ready,
    _reset_breaker,
    _scenario,
    _sql,
    _support_token,
    _wait,
    bridge,  # noqa: F401 - the fixture
)

from academy.local.mesh import Child, Mesh
from academy_testkit.ports import free_port

pytestmark = pytest.mark.e2e


def _in_flight(database_url: str, jurisdiction: str) -> str:
    """The webhook id of the jurisdiction's first delivery while an attempt is open."""
    rows = _deliveries(database_url, jurisdiction)
    if not rows:
        return ""
    attempts = _attempts(database_url, rows[0]["webhook_id"])
    return rows[0]["webhook_id"] if attempts and attempts[-1]["finished_at"] is None else ""


def _scenario_policy_only(kafka_bootstrap: str) -> tuple[str, list[str]]:
    jurisdiction = f"P{uuid.uuid4().hex[:6].upper()}"
    _publish(kafka_bootstrap, _policy(jurisdiction))
    return jurisdiction, []


def test_kill_9_during_a_delivery_unlocks_exactly_once_and_loses_nothing(
    bridge: Mesh,  # noqa: F811
    kafka_bootstrap: str,
    database_url: str,
) -> None:
    jurisdiction, [operator] = _scenario(bridge, kafka_bootstrap, 1)
    _portal(bridge, "ok", delay_s=3)  # the portal is slow: the request is in flight for 3 s
    _certify(kafka_bootstrap, jurisdiction, operator)

    release_id = _wait(lambda: _in_flight(database_url, jurisdiction), "a delivery in flight")
    bridge.kill(BRIDGE, signal.SIGKILL)
    _portal(bridge, "ok")
    bridge.restart(BRIDGE)
    _wait(lambda: _ready(bridge.url(BRIDGE)), "bridge back")

    unlock = _all_unlocked(bridge, jurisdiction, [operator])[operator]

    _all_delivered(database_url, jurisdiction, 1)
    assert (unlock["release_id"], unlock["times_unlocked"]) == (release_id, 1)
    steps = [a["next_step"] for a in _attempts(database_url, release_id)]
    assert steps == ["abandoned", "delivered"]  # the killed attempt is closed as unknown
    decided = _sql(
        database_url,
        "SELECT count(*) AS n FROM release_bridge.outbox "
        "WHERE headers ->> 'ce_type' = 'academy.release.decided.v1' "
        "AND headers ->> 'ce_subject' = $1",
        release_id,
    )
    assert decided[0]["n"] == 1


def _consuming(kafka_bootstrap: str, database_url: str) -> None:
    """Wait until the bridge's consumer groups have settled and apply new events again."""
    jurisdiction, _ = _scenario_policy_only(kafka_bootstrap)
    _wait(
        lambda: _sql(
            database_url,
            "SELECT 1 FROM release_bridge.release_policies WHERE jurisdiction = $1",
            jurisdiction,
        ),
        "the bridge consuming after the group changed",
        timeout=120,
    )


@pytest.fixture
def second_bridge(bridge: Mesh, kafka_bootstrap: str, database_url: str) -> Iterator[str]:  # noqa: F811
    """Another release-bridge process with the same settings on its own port."""
    first = bridge.children[BRIDGE]
    port = free_port()
    env = {**first.env, "RELEASE_BRIDGE_HTTP_PORT": str(port)}
    replica = Child(f"{BRIDGE}-2", first.argv, env, port)
    bridge.children[replica.name] = replica
    bridge.spawn(replica)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _ready(url), "second bridge ready", timeout=120)
        _consuming(kafka_bootstrap, database_url)
        yield url
    finally:
        bridge.kill(replica.name, signal.SIGTERM)
        del bridge.children[replica.name]
        if replica.log_file:
            replica.log_file.close()
        # Later tests restart the first bridge; let its group settle first (a restart in the
        # middle of a rebalance can wait for the departed member for minutes on Tansu).
        _consuming(kafka_bootstrap, database_url)


def _breaker_gauge(url: str, state: str) -> float:
    return _metric(url, f'release_bridge_breaker_state{{endpoint="portal",state="{state}"}}')


def test_two_bridge_replicas_release_each_operator_once_and_share_one_breaker(
    bridge: Mesh,  # noqa: F811
    second_bridge: str,
    kafka_bootstrap: str,
    database_url: str,
) -> None:
    first = bridge.url(BRIDGE)
    jurisdiction, operators = _scenario(bridge, kafka_bootstrap, 8)
    _portal(bridge, "ok", delay_s=2)
    # One release goes first and keeps the replica that leased it busy for 2 s; the other
    # seven are decided meanwhile, so the idle replica must lease them: both deliver.
    _certify(kafka_bootstrap, jurisdiction, operators[0])
    _wait(lambda: _in_flight(database_url, jurisdiction), "the first release in flight")
    _certify(kafka_bootstrap, jurisdiction, *operators[1:])

    unlocks = _all_unlocked(bridge, jurisdiction, operators)

    assert [unlocks[op]["times_unlocked"] for op in operators] == [1] * 8
    assert [unlocks[op]["deliveries"] for op in operators] == [1] * 8  # never sent twice
    rows = _all_delivered(database_url, jurisdiction, 8)
    assert [row["attempts"] for row in rows] == [1] * 8
    replicas = _sql(
        database_url,
        "SELECT DISTINCT a.replica FROM release_bridge.delivery_attempts a "
        "JOIN release_bridge.deliveries d USING (webhook_id) WHERE d.jurisdiction = $1",
        jurisdiction,
    )
    assert len(replicas) == 2  # both replicas delivered, neither sent what the other did
    decided = _sql(
        database_url,
        "SELECT count(*) AS n FROM release_bridge.outbox "
        "WHERE headers ->> 'ce_type' = 'academy.release.decided.v1' "
        "AND headers ->> 'ce_subject' = ANY($1::text[])",
        [row["webhook_id"] for row in rows],
    )
    assert decided[0]["n"] == 8  # one decision per release, whichever replica consumed it

    # One breaker: forced open through one replica, every replica reports and obeys it.
    headers = {"Authorization": f"Bearer {_support_token(bridge)}"}
    opened = httpx.post(
        f"{first}/v1/support/breakers/portal/force-open",
        json={"reason": "replica agreement test"},
        headers=headers,
        timeout=10,
    )
    assert opened.status_code == 200, opened.text
    _wait(lambda: _breaker_gauge(second_bridge, "open") == 1, "second replica sees it open")
    states = httpx.get(f"{second_bridge}/v1/support/breakers", headers=headers, timeout=10).json()
    assert [s["status"] for s in states if s["endpoint"] == "portal"] == ["open"]
    _reset_breaker(bridge, url=second_bridge)
    _wait(lambda: _breaker_gauge(first, "closed") == 1, "first replica sees it closed")
    [row] = _sql(
        database_url, "SELECT count(*) AS n FROM release_bridge.breakers WHERE endpoint = 'portal'"
    )
    assert row["n"] == 1
