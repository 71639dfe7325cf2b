"""Plumbing shared by the release benchmarks: passes on Kafka, signed portal POSTs, the ledger."""

import asyncio
import time
import uuid
from collections.abc import Callable, Coroutine, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
from aiokafka import AIOKafkaProducer

from academy.local.mesh import Mesh
from academy.local.portal import PortalSettings
from academy_testkit.postgres import plain
from contracts import Envelope, encode
from contracts.assessment import CertificationIssued
from contracts.common import Evidence
from contracts.webhooks import ToolingReleased, ToolingReleasedData
from release_bridge.domain.signing import SigningKeys, signed_headers

JURISDICTION = "MGA"  # release policy: one compliance_officer, so one pass is one release
TOOLING = ["mga-licensing-suite"]


def certification(operator_id: str, *, at: datetime) -> Envelope[CertificationIssued]:
    """A compliance officer's MGA pass for `operator_id`, as the assessment service emits it."""
    staff = f"{operator_id}-officer"
    return Envelope(
        data=CertificationIssued(
            certificate_id=str(uuid.uuid4()),
            staff_id=staff,
            staff_name="Bench Officer",
            role="compliance_officer",
            jurisdiction=JURISDICTION,
            track_version="bench",
            attempt_id=str(uuid.uuid4()),
            passed_at=at,
            expires_at=at + timedelta(days=540),
            verification_code=uuid.uuid4().hex[:12],
        ),
        tenantid=operator_id,
        source="/academy/assessment",
        subject=staff,
        time=at,
    )


class PassProducer:
    """Produces CertificationIssued events onto `academy.assessment.v1`, key = operator id."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")

    async def __aenter__(self) -> "PassProducer":
        await self._producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._producer.stop()

    async def send(self, operator_id: str) -> tuple[float, "asyncio.Future[Any]"]:
        """Queue one pass; returns the wall-clock time it was produced and its ack future."""
        at = datetime.now(UTC)
        record = encode(certification(operator_id, at=at))
        future = await self._producer.send(
            record.topic,
            record.value,
            key=record.key,
            headers=[(k, v.encode()) for k, v in record.headers.items()],
        )
        return at.timestamp(), future

    async def send_all(self, operator_ids: Iterable[str]) -> None:
        futures = [(await self.send(op))[1] for op in operator_ids]
        await asyncio.gather(*futures)


def portal_keys() -> SigningKeys:
    """The reference portal's secret: what the mesh gives the bridge, so both sides sign alike."""
    secret = PortalSettings(environment="local").webhook_secrets[0].get_secret_value()
    return SigningKeys.from_config(secret)


def release_body(operator_id: str) -> tuple[str, bytes]:
    """A `tooling.released.v1` body like the bridge's for one pass; returns (webhook id, body)."""
    now = datetime.now(UTC)
    release_id = str(uuid.uuid4())
    message = ToolingReleased(
        timestamp=now,
        data=ToolingReleasedData(
            release_id=release_id,
            operator_id=operator_id,
            jurisdiction=JURISDICTION,
            tooling=TOOLING,
            reason="certification",
            evidence=[
                Evidence(
                    certificate_id=str(uuid.uuid4()),
                    staff_id=f"{operator_id}-officer",
                    role="compliance_officer",
                    track_version="bench",
                    passed_at=now,
                    expires_at=now + timedelta(days=540),
                )
            ],
        ),
    )
    return release_id, message.model_dump_json().encode()


async def signed_post(
    client: aiohttp.ClientSession, url: str, keys: SigningKeys, webhook_id: str, body: bytes
) -> None:
    """What a sender must at least do: sign (Standard Webhooks) and POST; 2xx or raise."""
    headers = signed_headers(keys, webhook_id=webhook_id, body=body, at=datetime.now(UTC))
    async with client.post(url, data=body, headers=headers, raise_for_status=True) as response:
        await response.read()


async def paced(
    count: int, rate: float, action: Callable[[int], Coroutine[Any, Any, None]]
) -> list[asyncio.Task[None]]:
    """Start `action(n)` at n / rate seconds (open loop: a slow one does not delay the next);
    returns the tasks, still running."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for n in range(count):
        delay = start + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(action(n)))
    return tasks


async def direct_posts(
    client: aiohttp.ClientSession, url: str, keys: SigningKeys, *, rate: int, count: int, tag: str
) -> list[float]:
    """The baseline: signed release webhooks POSTed straight to `url` at `rate`, open loop;
    each one's seconds from signing to the 2xx."""
    bodies = [release_body(f"op-{tag}-{n:05d}") for n in range(count)]
    latencies: list[float] = []

    async def one(n: int) -> None:
        webhook_id, body = bodies[n]
        started = time.perf_counter()
        await signed_post(client, url, keys, webhook_id, body)
        latencies.append(time.perf_counter() - started)

    await asyncio.gather(*await paced(count, rate, one))
    return latencies


def portal_webhook_url(running: Mesh) -> str:
    return f"{running.url('portal')}/webhooks/academy"


class Ledger:
    """Reads the release bridge's delivery ledger (the benchmark's view; services never do)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @classmethod
    async def connect(cls, database_url: str) -> "Ledger":
        return cls(await asyncpg.connect(plain(database_url)))

    async def close(self) -> None:
        await self._conn.close()

    async def acknowledged(self, operator_ids: Sequence[str]) -> dict[str, float]:
        """Release acknowledgement time (the bridge's clock on receiving the 2xx) per operator."""
        rows = await self._conn.fetch(
            "SELECT operator_id, acknowledged_at FROM release_bridge.deliveries "
            "WHERE operator_id = ANY($1::text[]) AND webhook_type = 'tooling.released.v1' "
            "AND acknowledged_at IS NOT NULL",
            list(operator_ids),
        )
        return {row["operator_id"]: row["acknowledged_at"].timestamp() for row in rows}

    async def wait_acknowledged(
        self, operator_ids: Sequence[str], *, within_s: float = 120.0
    ) -> dict[str, float]:
        deadline = time.monotonic() + within_s
        while True:
            acked = await self.acknowledged(operator_ids)
            if len(acked) == len(operator_ids):
                return acked
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(operator_ids) - len(acked)} of {len(operator_ids)} releases "
                    f"not acknowledged after {within_s:.0f}s"
                )
            await asyncio.sleep(0.1)

    async def wait_pending(self, operator_ids: Sequence[str], *, within_s: float = 120.0) -> None:
        """Until every operator has a release queued (decided, not yet sent)."""
        query = (
            "SELECT count(*) FROM release_bridge.deliveries "
            "WHERE operator_id = ANY($1::text[]) AND webhook_type = 'tooling.released.v1'"
        )
        await self._until(
            query, [list(operator_ids)], len(operator_ids), within_s, "releases decided"
        )

    async def wait_policy(self, jurisdiction: str, *, within_s: float = 120.0) -> None:
        """Until the bridge stored the jurisdiction's release policy (see warm_up)."""
        query = "SELECT count(*) FROM release_bridge.release_policies WHERE jurisdiction = $1"
        await self._until(query, [jurisdiction], 1, within_s, f"{jurisdiction} policy stored")

    async def _until(
        self, count_query: str, args: list[Any], wanted: int, within_s: float, what: str
    ) -> None:
        deadline = time.monotonic() + within_s
        while (count := await self._conn.fetchval(count_query, *args)) != wanted:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} of {wanted} {what} after {within_s:.0f}s")
            await asyncio.sleep(0.1)

    async def delivery_window(self, operator_ids: Sequence[str]) -> tuple[float, float, int]:
        """(first lease, last 2xx, attempts) of these operators' releases, from the ledger."""
        row = await self._conn.fetchrow(
            "SELECT min(a.started_at) AS first, max(d.acknowledged_at) AS last, "
            "count(*) AS attempts FROM release_bridge.deliveries d "
            "JOIN release_bridge.delivery_attempts a USING (webhook_id) "
            "WHERE d.operator_id = ANY($1::text[]) AND d.webhook_type = 'tooling.released.v1'",
            list(operator_ids),
        )
        assert row is not None
        return row["first"].timestamp(), row["last"].timestamp(), int(row["attempts"])


async def warm_up(running: Mesh, ledger: Ledger, *, count: int = 20) -> None:
    """Feed the catalogue, then passes until releases arrive: consumer groups joined, pools warm.

    Passes wait until the bridge has stored the policy: a pass handled while the policy's
    first publish is being applied can stay undecided (neither transaction sees the other's
    uncommitted row), which would leave the warm-up waiting for a release that never comes.
    """
    from bench.catalogue_feed import publish_bundled_catalogue

    assert running.kafka_bootstrap
    await publish_bundled_catalogue(running.kafka_bootstrap)
    await ledger.wait_policy(JURISDICTION, within_s=180)
    operators = [f"op-warm-{n:03d}" for n in range(count)]
    async with PassProducer(running.kafka_bootstrap) as producer:
        await producer.send_all(operators)
    await ledger.wait_acknowledged(operators, within_s=180)
