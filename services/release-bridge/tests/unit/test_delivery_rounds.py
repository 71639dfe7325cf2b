"""Delivery rounds, breaker admission and held deliveries, against in-memory ports."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from release_bridge_fakes import FakeUnit
from release_bridge_testkit import T0, FakeClock, a_network_failure, a_response
from standardwebhooks.webhooks import Webhook

from contracts.release import BreakerTransitioned, ReleaseDelivered, ReleaseParked
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.domain.breaker_state import BreakerConfig, Transition
from release_bridge.domain.classify import DeliveryOutcome, RetryPolicy, Verdict
from release_bridge.domain.signing import SigningKeys, WebhookSecret
from release_bridge.domain.webhook_bodies import OutgoingWebhook
from release_bridge.service import support
from release_bridge.service.delivery import DeliveryConfig, DeliveryWorker
from release_bridge.service.ports import NewDelivery

SECRET = WebhookSecret.generate()
ENDPOINT = "portal"
CONFIG = BreakerConfig(minimum_calls=4, cool_down=timedelta(seconds=30))


@dataclass
class ScriptedPortal:
    """Answers with the scripted outcomes in turn (then 204), recording what it was sent."""

    script: list[DeliveryOutcome] = field(default_factory=list)
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)

    async def send(self, url: str, *, body: bytes, headers: Mapping[str, str]) -> DeliveryOutcome:
        self.received.append((body, dict(headers)))
        return self.script.pop(0) if self.script else a_response(204)


@dataclass
class Observed:
    verdicts: list[Verdict] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    acks: list[timedelta] = field(default_factory=list)

    def attempted(self, endpoint: str, verdict: Verdict, latency: timedelta) -> None:
        self.verdicts.append(verdict)

    def stepped(self, webhook_type: str, step: str) -> None:
        self.steps.append(step)

    def acknowledged(self, webhook_type: str, since_trigger: timedelta) -> None:
        self.acks.append(since_trigger)

    def transitioned(self, transitions: Sequence[Transition]) -> None:
        pass


def _worker(
    unit: FakeUnit, portal: ScriptedPortal, clock: FakeClock, *, batch: int = 10
) -> tuple[DeliveryWorker, Observed]:
    observed = Observed()
    worker = DeliveryWorker(
        units=unit,
        sender=portal,
        breaker=CircuitBreaker(CONFIG, clock),
        retry=RetryPolicy(base=timedelta(seconds=5), cap=timedelta(minutes=5)),
        keys=SigningKeys(SECRET),
        config=DeliveryConfig(
            endpoint=ENDPOINT,
            url="http://portal.test/webhooks",
            batch_size=batch,
            concurrency=4,
            lease=timedelta(seconds=60),
            replica="test",
        ),
        clock=clock,
        random=lambda: 0.5,
        observer=observed,
    )
    return worker, observed


async def _queue(unit: FakeUnit, n: int, *, at: datetime = T0) -> list[str]:
    ids = []
    for i in range(n):
        webhook_id = f"wh-{len(unit.deliveries.rows)}-{i}"
        webhook = OutgoingWebhook(
            webhook_id, "tooling.released.v1", f"op-{webhook_id}", "MGA", b'{"n": %d}' % i
        )
        delivery = NewDelivery(webhook, ENDPOINT, decided_at=at, triggered_at=at)
        await unit.deliveries.enqueue(delivery, now=at)
        ids.append(webhook_id)
    return ids


async def test_delivered_webhook_verifies_with_standardwebhooks_and_emits_release_delivered() -> (
    None
):
    # The library checks webhook-timestamp against the real clock, so sign at real time.
    unit, portal, clock = FakeUnit(), ScriptedPortal(), FakeClock(datetime.now(UTC))
    [webhook_id] = await _queue(unit, 1, at=clock())
    worker, observed = _worker(unit, portal, clock)
    clock.advance(timedelta(seconds=2))

    result = await worker.run_once()

    body, headers = portal.received[0]
    Webhook(SECRET.encoded()).verify(body, headers)
    assert headers["webhook-id"] == webhook_id
    assert result.sent == 1
    assert unit.deliveries.status_of(webhook_id) == "delivered"
    [delivered] = unit.events.of(ReleaseDelivered)
    assert (delivered.release_id, delivered.attempts) == (webhook_id, 1)
    assert observed.acks == [timedelta(seconds=2)]


async def test_server_error_schedules_a_retry_within_the_full_jitter_ceiling() -> None:
    unit, clock = FakeUnit(), FakeClock()
    [webhook_id] = await _queue(unit, 1)
    worker, observed = _worker(unit, ScriptedPortal([a_response(503)]), clock)

    await worker.run_once()

    row = unit.deliveries.rows[webhook_id]
    assert row.status == "pending"
    assert row.next_attempt_at == T0 + timedelta(seconds=2.5)  # 0.5 x ceiling(1) = 0.5 x 5 s
    assert observed.steps == ["retry"]
    assert row.last_error == "HTTP 503: "


async def test_permanent_rejection_parks_the_delivery_and_emits_release_parked() -> None:
    unit, clock = FakeUnit(), FakeClock()
    [webhook_id] = await _queue(unit, 1)
    worker, _ = _worker(unit, ScriptedPortal([a_response(422, excerpt="bad body")]), clock)

    await worker.run_once()

    assert unit.deliveries.status_of(webhook_id) == "parked"
    [parked] = unit.events.of(ReleaseParked)
    assert parked.error == "permanent_rejection: HTTP 422: bad body"
    assert parked.status_code == 422


async def test_signature_rejections_hold_deliveries_and_the_third_opens_the_breaker() -> None:
    unit, clock = FakeUnit(), FakeClock()
    ids = await _queue(unit, 4)
    portal = ScriptedPortal([a_response(401)] * 10)
    worker, _ = _worker(unit, portal, clock, batch=1)

    for _ in range(4):
        await worker.run_once()

    assert [unit.deliveries.status_of(i) for i in ids] == ["held", "held", "held", "pending"]
    assert len(portal.received) == 3  # the fourth waits behind the open breaker
    [opened] = unit.events.of(BreakerTransitioned)
    assert (opened.to_state, opened.cause) == ("open", "signature_rejections")


async def test_resetting_the_breaker_re_drives_held_deliveries_until_all_are_delivered() -> None:
    unit, clock = FakeUnit(), FakeClock()
    ids = await _queue(unit, 3)
    portal = ScriptedPortal([a_response(401)] * 3)
    worker, _ = _worker(unit, portal, clock, batch=1)
    for _ in range(3):
        await worker.run_once()
    assert [unit.deliveries.status_of(i) for i in ids] == ["held"] * 3
    assert (await worker.run_once()).sent == 0  # nothing is retried on its own

    await support.breaker_action(
        unit,
        CircuitBreaker(CONFIG, clock),
        ENDPOINT,
        "reset",
        actor="sam",
        reason="portal secret fixed",
        now=clock(),
    )
    while (await worker.run_once()).sent:
        pass

    assert [unit.deliveries.status_of(i) for i in ids] == ["delivered"] * 3
    assert unit.support.actions[0].action == "breaker_reset"


async def test_an_accepted_signature_re_drives_deliveries_held_before_it() -> None:
    unit, clock = FakeUnit(), FakeClock()
    ids = await _queue(unit, 2)
    worker, _ = _worker(unit, ScriptedPortal([a_response(403)]), clock, batch=1)

    await worker.run_once()
    await worker.run_once()
    await worker.run_once()

    assert [unit.deliveries.status_of(i) for i in ids] == ["delivered", "delivered"]


async def test_open_breaker_sends_nothing_until_its_cool_down_then_one_probe() -> None:
    unit, clock = FakeUnit(), FakeClock()
    await _queue(unit, 6)
    portal = ScriptedPortal([a_network_failure("connect")] * 4)
    worker, _ = _worker(unit, portal, clock, batch=4)
    await worker.run_once()  # four failures: the breaker opens
    clock.advance(timedelta(seconds=10))

    refused = await worker.run_once()
    clock.advance(timedelta(seconds=30))
    probe = await worker.run_once()

    assert refused.sent == 0
    assert refused.refused_until == T0 + timedelta(seconds=30)
    assert probe.sent == 1
    assert len(portal.received) == 5


async def test_a_revocation_waits_until_the_release_before_it_is_delivered() -> None:
    unit, clock = FakeUnit(), FakeClock()
    release = OutgoingWebhook("rel-1", "tooling.released.v1", "op-1", "MGA", b"{}")
    revocation = OutgoingWebhook("rev-1", "tooling.revoked.v1", "op-1", "MGA", b"{}")
    for webhook in (release, revocation):
        await unit.deliveries.enqueue(NewDelivery(webhook, ENDPOINT, T0, T0), now=T0)
    portal = ScriptedPortal([a_response(500)])
    worker, _ = _worker(unit, portal, clock)

    await worker.run_once()

    assert [headers["webhook-id"] for _, headers in portal.received] == ["rel-1"]
    assert unit.deliveries.status_of("rev-1") == "pending"
    assert unit.deliveries.rows["rev-1"].attempts == 0


async def test_redelivering_a_parked_delivery_restarts_its_retry_window() -> None:
    unit, clock = FakeUnit(), FakeClock()
    [webhook_id] = await _queue(unit, 1)
    worker, _ = _worker(unit, ScriptedPortal([a_response(410)]), clock)
    await worker.run_once()
    clock.advance(timedelta(hours=1))

    record = await support.redeliver(
        unit, webhook_id=webhook_id, actor="sam", reason="portal restored", now=clock()
    )
    await worker.run_once()

    assert (record.status, record.window_started_at, record.window_attempts) == (
        "pending",
        clock(),
        0,
    )
    assert unit.deliveries.status_of(webhook_id) == "delivered"
    assert unit.support.actions[0].details == {
        "previous_status": "parked",
        "webhook_type": "tooling.released.v1",
    }
