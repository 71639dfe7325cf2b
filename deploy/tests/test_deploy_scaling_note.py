"""The scaling note in deploy/README.md agrees with the code and the manifests it describes."""

import importlib
import inspect
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from academy.services import SERVICES, ServiceSpec
from academy_runtime import migrations
from academy_runtime.outbox import OutboxRelay
from academy_runtime.service import ServiceRuntime
from audit_export.adapters import locks as export_locks
from contracts import topics

DEPLOY_DIR = Path(__file__).resolve().parents[1]
README = DEPLOY_DIR / "README.md"
Objects = dict[tuple[str, str], dict[str, Any]]


def _config(objects: Objects, spec: ServiceSpec) -> dict[str, str]:
    data: dict[str, str] = objects[("ConfigMap", f"{spec.name}-config")]["data"]
    return data


def _runtime(spec: ServiceSpec, objects: Objects) -> ServiceRuntime:
    """The service as its factory wires it with the deployed consumer group (nothing connects)."""
    package = spec.settings.__module__.rsplit(".", 1)[0]
    create: Callable[[Any], tuple[Any, ServiceRuntime]] = importlib.import_module(
        f"{package}.app"
    ).create
    group = _config(objects, spec)[f"{spec.env_prefix}CONSUMER_GROUP"]
    _, runtime = create(spec.settings(environment="test", consumer_group=group))
    return runtime


def _lines(text: str, *needles: str) -> list[str]:
    return [line for line in text.splitlines() if all(n in line for n in needles)]


def _days(ms: int) -> str:
    days, rest = divmod(ms, topics.DAY_MS)
    assert not rest, f"{ms} ms is not whole days: say it in the topic table"
    return f"{days} days"


def _row_cells(spec: topics.TopicSpec) -> list[str]:
    return [
        f"| {spec.partitions} |",
        f"| {spec.replication_factor} ({spec.min_insync_replicas}) |",
        f"| {_days(spec.retention_ms)} |",
    ]


def test_topic_table_shows_every_declared_topic_as_declared() -> None:
    text = README.read_text()
    events = [spec for spec in topics.DECLARED if not topics.is_dlq(spec.name)]
    missing = [s.name for s in events if not _lines(text, f"`{s.name}`", *_row_cells(s))]
    assert not missing, (
        "deploy/README.md topic table needs `<topic>` | partitions | replicas (min in sync) | "
        f"retention | for {missing}, as contracts.topics.DECLARED says"
    )
    dead_letters = {
        "".join(_row_cells(spec)) for spec in topics.DECLARED if topics.is_dlq(spec.name)
    }
    assert len(dead_letters) == 1, "dead-letter topics are laid out alike (one table row)"
    (dlq,) = (spec for spec in topics.DECLARED if spec.name == topics.dlq(topics.CATALOGUE))
    assert _lines(text, "`<topic>.dlq`", *_row_cells(dlq))
    assert {spec.cleanup_policy for spec in topics.DECLARED} == {"delete"}
    assert "All are `cleanup.policy=delete`" in text


@pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])
def test_every_topic_a_service_uses_is_declared(spec: ServiceSpec, k8s_objects: Objects) -> None:
    used = _runtime(spec, k8s_objects).topics
    undeclared = sorted(name for name in used if not topics.is_declared(name))
    assert not undeclared, f"{spec.name} uses {undeclared}: declare them in contracts.topics"


@pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])
def test_scaling_note_names_every_consumer_group_and_its_topics(
    spec: ServiceSpec, k8s_objects: Objects
) -> None:
    text = README.read_text()
    runtime = _runtime(spec, k8s_objects)
    for consumer in runtime.consumers:
        group = f"{runtime.settings.group_id}.{consumer.name}"
        needles = [f"`{group}`", *(f"`{t}`" for t in consumer.topics)]
        assert _lines(text, *needles), (
            f"deploy/README.md needs a consumer-group row with {' '.join(needles)}"
        )


def _surge(max_replicas: int, surge: int | str) -> int:
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(max_replicas * int(surge[:-1]) / 100)
    return int(surge)


def budget_rows(objects: Objects) -> tuple[list[str], int]:
    """The README's connection-budget rows, computed from the manifests, and their total."""
    rows, total = [], 0
    for spec in SERVICES:
        config, prefix = _config(objects, spec), spec.env_prefix
        pool, overflow = (
            int(config[f"{prefix}DB_POOL_SIZE"]),
            int(config[f"{prefix}DB_MAX_OVERFLOW"]),
        )
        hpa = objects[("HorizontalPodAutoscaler", spec.name)]["spec"]
        strategy = objects[("Deployment", spec.name)]["spec"]["strategy"]["rollingUpdate"]
        surge = _surge(hpa["maxReplicas"], strategy["maxSurge"])
        per_replica = pool + overflow + 1  # SQLAlchemy pool + overflow + the outbox LISTEN
        peak = (hpa["maxReplicas"] + surge) * per_replica
        total += peak
        rows.append(
            f"| {spec.name} | {hpa['minReplicas']}–{hpa['maxReplicas']} | {surge} | "
            f"{pool} + {overflow} + 1 = {per_replica} | {peak} |"
        )
    return rows, total + len(SERVICES)  # + one connection per migration Job


def test_connection_budget_matches_the_manifests(k8s_objects: Objects) -> None:
    text = README.read_text()
    rows, total = budget_rows(k8s_objects)
    missing = [row for row in rows if row not in text]
    assert not missing, "deploy/README.md connection budget rows should read:\n" + "\n".join(rows)
    assert f"**{total}**" in text, f"deploy/README.md should give the total as **{total}**"
    recommended = re.search(r"Set Postgres `max_connections = (\d+)`", text)
    assert recommended, "deploy/README.md: say which Postgres max_connections to set"
    assert int(recommended[1]) > total, f"recommend max_connections above {total}"


def test_singletons_are_locked_as_the_note_says() -> None:
    text = README.read_text()
    relay = inspect.getsource(OutboxRelay.relay_once)
    assert "pg_try_advisory_xact_lock" in relay
    assert "pg_try_advisory_xact_lock" in text
    assert "pg_advisory_xact_lock" in inspect.getsource(migrations)
    assert "pg_try_advisory_lock" in inspect.getsource(export_locks)
    assert "`pg_try_advisory_lock`" in text
    for singleton in ("certificate expiry", "nightly audit export", "reconciler"):
        assert singleton in text, f"deploy/README.md: how is the {singleton} kept single?"
