"""Malformed and hostile records on every consumed topic: no crash, each lands in the DLQ."""

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from academy.local.mesh import Mesh
from academy.services import SERVICES
from contracts import Envelope, encode, topics
from contracts.assessment import CertificationIssued, OperatorJurisdictionsSet
from contracts.asyncapi import SERVICE_IO

pytestmark = pytest.mark.e2e

CONSUMERS = {
    topic: [name for name in (s.name for s in SERVICES) if topic in SERVICE_IO[name]["consumes"]]
    for topic in topics.ALL
}


def _valid_issued(operator: str) -> tuple[bytes, dict[str, str]]:
    now = datetime.now(UTC)
    data = CertificationIssued(
        certificate_id=f"cert-{uuid.uuid4().hex[:8]}",
        staff_id="fuzz",
        staff_name="Fuzz",
        role="compliance_officer",
        jurisdiction="MGA",
        track_version="v",
        attempt_id="a",
        passed_at=now,
        expires_at=now,
        verification_code="AAAA-BBBB-CCCC",
    )
    record = encode(Envelope(data=data, tenantid=operator, source="/fuzz"))
    return record.value, record.headers


def _foreign_tenant(marker: tuple[str, bytes]) -> tuple[bytes, list[tuple[str, bytes]]]:
    """An event about op-fuzz whose envelope claims another tenant."""
    data = OperatorJurisdictionsSet(
        operator_id="op-fuzz", jurisdictions=["MGA"], actor="fuzz", set_at=datetime.now(UTC)
    )
    record = encode(Envelope(data=data, tenantid="op-fuzz", source="/fuzz"))
    headers = {**record.headers, "ce_tenantid": "op-someone-else"}
    return record.value, [(k, v.encode()) for k, v in headers.items()] + [marker]


def _hostile(run: str) -> list[tuple[str, bytes, list[tuple[str, bytes]]]]:
    """(case, value, headers) for each hostile shape; every one carries the run marker."""
    value, headers = _valid_issued("op-fuzz")
    marker = ("x-fuzz-run", run.encode())

    def with_headers(**changes: str) -> list[tuple[str, bytes]]:
        merged = {**headers, **changes}
        return [(k, v.encode()) for k, v in merged.items()] + [marker]

    wrong_types = json.loads(value)
    wrong_types.update(passed_at=12, role=["x"], staff_id=None)
    return [
        ("missing_headers", value, [marker]),
        ("wrong_types", json.dumps(wrong_types).encode(), with_headers()),
        ("huge_payload", b'{"pad": "' + b"A" * 700_000 + b'"}', with_headers()),
        ("binary_garbage", bytes(range(256)) * 8, with_headers()),
        ("unknown_type", value, with_headers(ce_type="academy.evil.v1")),
        ("path_tenant", value, with_headers(ce_tenantid="../../etc/passwd")),
        ("foreign_tenant", *_foreign_tenant(marker)),
        ("non_utf8_header", value, [*with_headers()[:-1], ("ce_source", b"\xff\xfe"), marker]),
    ]


async def _send(bootstrap: str, run: str) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=2 * 2**20)
    await producer.start()
    sent = 0
    try:
        for topic in topics.ALL:
            for _case, value, headers in _hostile(run):
                await producer.send_and_wait(topic, value, key=b"op-fuzz", headers=headers)
                sent += 1
    finally:
        await producer.stop()
    return sent


async def _dead_letters(bootstrap: str, run: str, expected: int, timeout: float) -> list[object]:
    consumer = AIOKafkaConsumer(
        *(topics.dlq(t) for t in topics.ALL),
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        fetch_max_bytes=16 * 2**20,
        max_partition_fetch_bytes=4 * 2**20,
    )
    await consumer.start()
    found: list[object] = []
    try:
        deadline = time.monotonic() + timeout
        while len(found) < expected and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                found += [r for r in records if ("x-fuzz-run", run.encode()) in (r.headers or [])]
    finally:
        await consumer.stop()
    return found


def test_hostile_records_on_every_topic_land_in_the_dlq_once_per_consumer(mesh: Mesh) -> None:
    assert mesh.kafka_bootstrap
    run = uuid.uuid4().hex
    cases = len(_hostile(run))
    asyncio.run(_send(mesh.kafka_bootstrap, run))
    expected = sum(len(consumers) * cases for consumers in CONSUMERS.values())
    found = asyncio.run(_dead_letters(mesh.kafka_bootstrap, run, expected, timeout=120))

    per_topic: dict[str, int] = {}
    for record in found:
        headers = dict(record.headers)  # type: ignore[attr-defined]
        assert headers["dlq-error"], headers
        per_topic[headers["dlq-original-topic"].decode()] = (
            per_topic.get(headers["dlq-original-topic"].decode(), 0) + 1
        )
    assert per_topic == {t: len(c) * cases for t, c in CONSUMERS.items() if c}
    for spec in SERVICES:  # nobody crashed or wedged
        assert httpx.get(f"{mesh.url(spec.name)}/readyz", timeout=5).status_code == 200
    assert not mesh.dead_children()
