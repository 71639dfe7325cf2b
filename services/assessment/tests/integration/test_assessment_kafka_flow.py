"""The running service on a real broker: catalogue in, assessment events out, scheduler on.

Tracks are learned only from `academy.catalogue.v1`; what the service emits leaves through the
outbox relay onto `academy.assessment.v1` keyed by operator id; the background scheduler emits
expiry notices without anyone calling it.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from assessment_harness import ISSUER, wire_issuer
from assessment_testkit import (
    FakeClock,
    answers,
    jurisdiction_added,
    realistic_track,
    release_policy,
    unique_jurisdiction,
    unique_operator,
)
from sqlalchemy import func, select

from academy_testkit.issuer import DevIssuer
from assessment.adapters.orm import release_policies, tracks
from assessment.app import create
from assessment.settings import AssessmentSettings
from contracts import Envelope, decode, encode, topics
from contracts.base import EventData

pytestmark = pytest.mark.integration


async def _eventually(check: Callable[[], Awaitable[Any]], *, timeout: float = 60.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")


def _record(data: EventData, *, event_id: str | None = None) -> tuple[bytes, list[Any]]:
    envelope = Envelope(
        data=data,
        tenantid=topics.PLATFORM_TENANT,
        source="/academy/catalogue",
        id=event_id or str(uuid.uuid4()),
    )
    record = encode(envelope)
    return record.value, [(k, v.encode()) for k, v in record.headers.items()]


class AssessmentTopic:
    """Reads academy.assessment.v1 from the start and keeps one operator's records."""

    def __init__(self, bootstrap: str, operator: str) -> None:
        self._consumer = AIOKafkaConsumer(
            topics.ASSESSMENT, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
        )
        self._operator = operator.encode()
        self.records: list[Any] = []

    async def __aenter__(self) -> "AssessmentTopic":
        await self._consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._consumer.stop()

    async def types(self) -> list[str]:
        batch = await self._consumer.getmany(timeout_ms=300)
        for records in batch.values():
            self.records.extend(r for r in records if r.key == self._operator)
        return [decode(r.headers, r.value).type for r in self.records]


@pytest.fixture
async def running(
    make_settings: Callable[..., AssessmentSettings], issuer: DevIssuer
) -> AsyncIterator[tuple[httpx.AsyncClient, Any, FakeClock]]:
    settings = make_settings(AssessmentSettings, oidc_issuer=ISSUER, scheduler_interval_s=0.2)
    clock = FakeClock()
    app, runtime = create(settings, clock=clock)
    wire_issuer(app, settings, issuer)
    await runtime.start()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://a.test") as client:
            yield client, runtime, clock
    finally:
        await runtime.stop()


async def test_every_track_version_is_learned_from_kafka_and_broken_records_are_dead_lettered(
    running: tuple[httpx.AsyncClient, Any, FakeClock], kafka_bootstrap: str
) -> None:
    _, runtime, _ = running
    jurisdiction = unique_jurisdiction()
    v1 = realistic_track(jurisdiction=jurisdiction, version="1.0")
    v2 = realistic_track(jurisdiction=jurisdiction, version="2.0", lesson_version="2")
    duplicate_id, broken_marker = str(uuid.uuid4()), uuid.uuid4().hex
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for value, headers in (
            _record(v1, event_id=duplicate_id),
            _record(v1, event_id=duplicate_id),
            (b"{broken " + broken_marker.encode(), [("ce_type", b"academy.track.published.v1")]),
            _record(v1),
            _record(v2),
            _record(release_policy(jurisdiction)),
            _record(jurisdiction_added(jurisdiction)),
        ):
            await producer.send_and_wait(
                topics.CATALOGUE, value, key=topics.PLATFORM_TENANT.encode(), headers=headers
            )
    finally:
        await producer.stop()

    async def learned() -> bool:
        async with runtime.sessions() as session:
            policies = await session.scalar(
                select(func.count()).where(release_policies.c.jurisdiction == jurisdiction)
            )
            versions = await session.scalars(
                select(tracks.c.version).where(tracks.c.jurisdiction == jurisdiction)
            )
            return bool(policies) and sorted(versions) == ["1.0", "2.0"]

    await _eventually(learned)
    dlq = AIOKafkaConsumer(
        topics.dlq(topics.CATALOGUE),
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
    )
    await dlq.start()
    try:
        dead: list[Any] = []

        async def dead_lettered() -> bool:
            batch = await dlq.getmany(timeout_ms=300)
            dead.extend(r for rs in batch.values() for r in rs if broken_marker.encode() in r.value)
            return bool(dead)

        await _eventually(dead_lettered)
    finally:
        await dlq.stop()
    assert dict(dead[0].headers)["dlq-handler"] == b"catalogue"


async def test_events_leave_on_the_assessment_topic_keyed_by_operator_and_notices_follow(
    running: tuple[httpx.AsyncClient, Any, FakeClock], issuer: DevIssuer, kafka_bootstrap: str
) -> None:
    client, _, clock = running
    track = realistic_track(jurisdiction=unique_jurisdiction())
    value, headers = _record(track)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topics.CATALOGUE, value, key=b"_platform", headers=headers)
    finally:
        await producer.stop()
    operator = unique_operator()
    admin = issuer.mint(sub="root", operator_id="academy-vendor", groups=["academy_admin"])

    async def gone_live() -> httpx.Response | None:
        """The go-live waits for the track to arrive (422 until it is published here)."""
        response = await client.put(
            f"/v1/admin/operators/{operator}/jurisdictions",
            json={"jurisdictions": [track.jurisdiction], "new_operator": True},
            headers={"Authorization": f"Bearer {admin}"},
        )
        return None if response.status_code == 422 else response

    put = await _eventually(gone_live)
    assert put.status_code == 200, put.text
    token = issuer.mint(sub="ada", operator_id=operator, groups=["compliance_officer"])
    staff = {"Authorization": f"Bearer {token}"}
    for module in track.modules:
        done = await client.put(
            f"/v1/me/tracks/{track.track_key}/modules/{module.id}/completion", headers=staff
        )
        assert done.status_code == 200, done.text

    async def started() -> dict[str, Any] | None:
        response = await client.post(f"/v1/me/tracks/{track.track_key}/attempts", headers=staff)
        return response.json() if response.status_code == 201 else None

    attempt = await _eventually(started)
    submitted = await client.post(
        f"/v1/me/attempts/{attempt['attempt_id']}/submission",
        json={"answers": answers(track, attempt["paper"])},
        headers={**staff, "Idempotency-Key": "kafka-flow-0001"},
    )
    assert submitted.json()["result"] == "pass"
    clock.advance(days=730)
    async with AssessmentTopic(kafka_bootstrap, operator) as topic:
        expected = [
            "academy.operator.jurisdictions_set.v1",
            "academy.staff.provisioned.v1",
            *(
                kind
                for module in track.modules
                for kind in [
                    *["academy.lesson.completed.v1"] * len(module.lessons),
                    "academy.module.completed.v1",
                ]
            ),
            "academy.attempt.started.v1",
            "academy.attempt.submitted.v1",
            "academy.certification.issued.v1",
            "academy.certification.expiring.v1",
            "academy.certification.expired.v1",
        ]

        async def all_arrived() -> bool:
            return await topic.types() == expected

        await _eventually(all_arrived)
        assert {dict(r.headers)["ce_tenantid"] for r in topic.records} == {operator.encode()}
