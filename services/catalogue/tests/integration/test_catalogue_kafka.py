"""Publishing reaches the real (Tansu) broker as CloudEvents on academy.catalogue.v1."""

import asyncio
import json
import re
from pathlib import Path

import pytest
from catalogue_it_kit import (
    MGA_LESSON,
    MGA_MODULE_TRACKS,
    append,
    copy_bundled,
    publish_dir,
    read_topic,
)
from sqlalchemy import func, select
from typer.testing import CliRunner

from academy_runtime.service import ServiceRuntime
from catalogue.app import build_runtime
from catalogue.cli import app as cli
from catalogue.settings import CatalogueSettings
from contracts import decode, topics
from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration

RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


async def _relay_until_sent(runtime: ServiceRuntime, timeout_s: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        async with runtime.sessions() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(runtime.outbox)
                .where(runtime.outbox.c.sent_at.is_(None))
            )
        if not pending:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox relay did not send every event in time")


async def test_published_events_reach_the_topic_with_cloudevents_headers_and_only_changes(
    catalogue_settings: CatalogueSettings, catalogue_broker: str, tmp_path: Path
) -> None:
    settings = catalogue_settings.model_copy(update={"kafka_bootstrap_servers": catalogue_broker})
    service = build_runtime(settings)
    await service.start()  # the service's own relay sends what publish stages
    try:
        root = copy_bundled(tmp_path)
        first = await publish_dir(service, root)
        await _relay_until_sent(service)
        unchanged = await publish_dir(service, copy_bundled(tmp_path, "again"))
        append(root, MGA_LESSON, "Suspicious transaction reports go to the FIAU without delay.")
        changed = await publish_dir(service, root)
        await _relay_until_sent(service)
    finally:
        await service.stop()

    assert unchanged.events == ()
    expected = [*first.events, *changed.events]
    records = await read_topic(catalogue_broker, topics.CATALOGUE, count=len(expected))

    assert [r.value for r in records] == [e.data.model_dump_json().encode() for e in expected]
    assert {r.key for r in records} == {topics.PLATFORM_TENANT.encode()}
    for record, sent in zip(records, expected, strict=True):
        headers = {name: value.decode() for name, value in record.headers}
        assert headers["ce_specversion"] == "1.0"
        assert headers["ce_id"] == sent.id
        assert headers["ce_source"] == "/academy/catalogue"
        assert headers["ce_type"] == sent.type
        assert headers["ce_subject"] == sent.subject
        assert headers["ce_tenantid"] == topics.PLATFORM_TENANT
        assert RFC3339_Z.match(headers["ce_time"])
        assert re.match(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", headers["ce_traceparent"])
        assert headers["content-type"] == "application/json"
        assert decode(record.headers, record.value).id == sent.id
    after_change = [decode(r.headers, r.value) for r in records[len(first.events) :]]
    assert all(isinstance(e.data, TrackPublished) for e in after_change)
    assert {e.data.track_key for e in after_change} == MGA_MODULE_TRACKS


async def test_publish_command_with_relay_sends_its_events_without_the_service(
    catalogue_settings: CatalogueSettings, catalogue_broker: str, tmp_path: Path
) -> None:
    env = {
        "CATALOGUE_ENVIRONMENT": "test",
        "CATALOGUE_DATABASE_URL": catalogue_settings.database_url.get_secret_value(),
        "CATALOGUE_KAFKA_BOOTSTRAP_SERVERS": catalogue_broker,
    }
    args = ["publish", str(copy_bundled(tmp_path)), "--relay", "--json", "--publisher", "ci"]

    result = await asyncio.to_thread(CliRunner().invoke, cli, args, env=env)

    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert (outcome["published"], outcome["publication"], outcome["unsent"]) == (True, 1, 0)
    records = await read_topic(catalogue_broker, topics.CATALOGUE, count=len(outcome["events"]))
    assert [dict(r.headers)["ce_id"].decode() for r in records] == [
        e["id"] for e in outcome["events"]
    ]
