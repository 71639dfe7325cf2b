"""`academy dlq` end to end against a real Tansu broker and Postgres: a record dead-lettered by
a handler that fails is listed and shown, replayed once the cause is fixed, applied once, and
every replay or purge is recorded with its actor and reason."""

import getpass
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import Column, Integer, MetaData, Table, Text, select, text
from sqlalchemy.dialects.postgresql import insert

from academy_runtime.dlq import read_all
from academy_runtime.migrations import create_runtime_tables
from academy_runtime.routes import on
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from academy_testkit.waiting import until
from contracts import Envelope, EnvelopeError, decode, encode, topics
from contracts.assessment import OperatorJurisdictionsSet
from contracts.mesh import Consumes
from contracts.operations import DeadLetterHandled

pytestmark = pytest.mark.integration

REASON = "pricing table restored (INC-2041)"


@dataclass
class Mesh:
    runtime: ServiceRuntime
    applied: Table
    topic: str
    broken: dict[str, bool]
    bootstrap: str

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "ACADEMY_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap}
        return subprocess.run(
            [sys.executable, "-m", "academy", "dlq", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def sample(self, name: str, **labels: str) -> float:
        return self.runtime.registry.get_sample_value(name, labels) or 0.0

    async def times_applied(self, event_id: str) -> int | None:
        async with self.runtime.sessions() as session:
            return await session.scalar(
                select(self.applied.c.times).where(self.applied.c.event_id == event_id)
            )


@pytest.fixture
async def mesh(make_settings: Callable[..., Any], kafka_bootstrap: str) -> AsyncIterator[Mesh]:
    suffix = uuid.uuid4().hex[:8]
    schema, topic = f"dlq_{suffix}", f"test.dlq-cli.{suffix}"
    metadata = MetaData(schema=schema)
    applied = Table(
        "applied",
        metadata,
        Column("event_id", Text, primary_key=True),
        Column("times", Integer, nullable=False),
    )
    runtime = ServiceRuntime(
        make_settings(ServiceSettings, consumer_max_retries=1), schema=schema, metadata=metadata
    )
    broken = {"on": True}

    async def apply(envelope: Envelope[OperatorJurisdictionsSet], *, uow: UnitOfWork) -> None:
        if broken["on"]:
            raise RuntimeError("pricing table missing")
        await uow.session.execute(
            insert(applied)
            .values(event_id=envelope.id, times=1)
            .on_conflict_do_update(
                index_elements=[applied.c.event_id], set_={"times": applied.c.times + 1}
            )
        )

    runtime.subscribe(
        Consumes("apply", (topic,), (OperatorJurisdictionsSet,)),
        UnitsOfWork(runtime, UnitOfWork),
        on(OperatorJurisdictionsSet, apply),
    )
    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
        await conn.run_sync(lambda c: create_runtime_tables(c, schema))
        await conn.run_sync(lambda c: applied.create(c))
    await runtime.start()
    await until(lambda: runtime.broker_started, "the service's topics created")
    try:
        yield Mesh(runtime, applied, topic, broken, kafka_bootstrap)
    finally:
        await runtime.stop()


async def test_a_dead_letter_is_replayed_once_after_the_fix_and_every_action_is_recorded(
    mesh: Mesh,
) -> None:
    operator = f"op-dlq-{uuid.uuid4().hex[:6]}"
    event = Envelope(
        data=OperatorJurisdictionsSet(
            operator_id=operator, jurisdictions=["MGA"], actor="admin", set_at=datetime.now(UTC)
        ),
        tenantid=operator,
        source="/academy/test",
    )
    record = encode(event)
    producer = AIOKafkaProducer(bootstrap_servers=mesh.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            mesh.topic,
            record.value,
            key=record.key,
            headers=[(name, value.encode()) for name, value in record.headers.items()],
        )
        await producer.send_and_wait(
            mesh.topic, b"{not json", key=b"junk", headers=[("ce_id", b"m"), ("x-bin", b"\xff")]
        )
    finally:
        await producer.stop()
    dead = "academy_consumer_dead_lettered_total"
    await until(lambda: mesh.sample(dead, handler="apply") == 2, "two dead letters")

    listed = mesh.cli("list", "--topic", mesh.topic, "--json")
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)
    summary = found["topics"][topics.dlq(mesh.topic)]
    assert summary["count"] == 2
    assert summary["by_error_type"] == {"RuntimeError": 1, "EnvelopeError": 1}
    group = mesh.runtime.consumers[0].group_id
    assert summary["by_consumer"] == {f"service/{group}/apply": 2}
    refs = {row["error_type"]: row["ref"] for row in found["dead_letters"]}

    shown = mesh.cli("show", refs["EnvelopeError"], "--json")
    assert shown.returncode == 0, shown.stderr
    junk = json.loads(shown.stdout)
    assert junk["headers"] == {"ce_id": "m", "x-bin": "hex:ff"}  # as sent: nothing added
    assert junk["body"] == "{not json"
    assert (junk["service"], junk["consumer_group"], junk["handler"]) == ("service", group, "apply")
    assert junk["error"] == "header 'x-bin' is not UTF-8"
    text_view = mesh.cli("show", refs["RuntimeError"])
    assert text_view.returncode == 0, text_view.stderr
    assert '"operator_id": "' + operator in text_view.stdout  # the body, pretty-printed
    assert "pricing table missing" in text_view.stdout

    mesh.broken["on"] = False
    select_it = ["--topic", mesh.topic, "--error-type", "RuntimeError", "--reason", REASON]
    dry = mesh.cli("replay", *select_it, "--actor", "sre.on.call")
    assert dry.returncode == 0, dry.stderr
    assert "Dry run" in dry.stdout
    assert len(await read_all(mesh.bootstrap, [mesh.topic])) == 2  # nothing was sent

    done = mesh.cli("replay", *select_it, "--actor", "sre.on.call", "--execute")
    assert done.returncode == 0, done.stderr
    assert f"replayed {refs['RuntimeError']} -> {mesh.topic}/" in done.stdout
    await until(lambda: mesh.times_applied(event.id), "the replayed event applied")
    on_topic = await read_all(mesh.bootstrap, [mesh.topic])
    assert len(on_topic) == 3
    sent, replayed = [r for r in on_topic if r.key == record.key]  # same key, same partition
    assert replayed.headers == sent.headers  # exactly the producer's headers
    assert replayed.value == sent.value

    again = mesh.cli("replay", *select_it, "--execute")
    assert again.returncode == 1
    assert "Nothing to do" in again.stderr  # already handled
    duplicates = mesh.sample(
        "academy_consumer_messages_total", handler="apply", outcome="duplicate"
    )
    forced = mesh.cli("replay", *select_it, "--include-handled", "--execute")
    assert forced.returncode == 0, forced.stderr
    await until(
        lambda: (
            mesh.sample("academy_consumer_messages_total", handler="apply", outcome="duplicate")
            > duplicates
        ),
        "the second replay seen as a duplicate",
    )
    assert await mesh.times_applied(event.id) == 1  # applied once, however often replayed

    purged = mesh.cli(
        "purge", "--topic", mesh.topic, "--ref", refs["EnvelopeError"], "--reason", "test junk"
    )
    assert "Dry run" in purged.stdout
    purged = mesh.cli(
        "purge",
        "--topic",
        mesh.topic,
        "--ref",
        refs["EnvelopeError"],
        "--reason",
        "test junk",
        "--execute",
    )
    assert purged.returncode == 0, purged.stderr
    waiting = mesh.cli("list", "--topic", mesh.topic)
    assert waiting.returncode == 0, waiting.stderr
    assert "No dead letters" in waiting.stdout
    everything = json.loads(mesh.cli("list", "--topic", mesh.topic, "--all", "--json").stdout)
    handled = {row["error_type"]: row["handled"] for row in everything["dead_letters"]}
    # The latest action shows; without --actor (or ACADEMY_ACTOR) the login name acts.
    assert handled["RuntimeError"].startswith(f"replayed by {getpass.getuser()} at ")
    assert handled["EnvelopeError"].startswith("purged by ")

    recorded = [_decoded(r) for r in await read_all(mesh.bootstrap, [topics.OPERATIONS])]
    ours = [
        e
        for e in recorded
        if e is not None
        and isinstance(e.data, DeadLetterHandled)
        and e.data.dead_letter_topic == topics.dlq(mesh.topic)
    ]
    assert sorted((e.data.action, e.tenantid) for e in ours) == [
        ("purged", topics.PLATFORM_TENANT),  # the junk named no operator
        ("replayed", operator),  # in the operator's own audit log
        ("replayed", operator),
    ]
    replays = [e.data for e in ours if e.data.action == "replayed"]
    assert {data.reason for data in replays} == {REASON}
    assert {data.event_id for data in replays} == {event.id}
    assert all(data.replayed_offset is not None for data in replays)


def _decoded(record: Any) -> Envelope[Any] | None:
    """A record of the shared test broker's operations topic (other tests write junk there)."""
    try:
        return decode(record.headers, record.value)
    except EnvelopeError:
        return None


async def test_refusals_name_the_problem_and_send_nothing(mesh: Mesh) -> None:
    unknown = mesh.cli("replay", "--topic", mesh.topic + "x", "--reason", "r", "--execute")
    assert unknown.returncode == 2
    assert "no dead-letter topic" in unknown.stderr
    blank = mesh.cli("replay", "--topic", mesh.topic, "--reason", "\u200b\u200b", "--execute")
    assert blank.returncode == 2
    assert "--reason" in blank.stderr
    missing = mesh.cli("show", f"{topics.dlq(mesh.topic)}/0/999")
    assert missing.returncode == 2
    assert "no dead letter" in missing.stderr
    unreachable = subprocess.run(
        [sys.executable, "-m", "academy", "dlq", "list", "--bootstrap-servers", "127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert unreachable.returncode == 2
    assert "127.0.0.1:9" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr
