"""One delivery round: ask the breaker, lease due webhooks, send them signed, record each outcome.

Leases are taken with row locks that skip rows other replicas hold, so two replicas never send
the same delivery at once; a replica that dies mid-send leaves a lease that expires, and the
delivery goes out again under the same webhook-id (the portal dedupes by it).
"""

import asyncio
import logging
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from contracts.clock import Clock
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.domain.breaker_state import Transition
from release_bridge.domain.classify import (
    DeliveryOutcome,
    Hold,
    Park,
    RetryAt,
    RetryPolicy,
    UnitRandom,
    Verdict,
    classify,
)
from release_bridge.domain.signing import SigningKeys, signed_headers
from release_bridge.service import breakers
from release_bridge.service.events import delivered_event, parked_event
from release_bridge.service.ports import AttemptResult, Claim, DeliveryRecord, Unit

log = logging.getLogger(__name__)


class Sender(Protocol):
    async def send(
        self, url: str, *, body: bytes, headers: Mapping[str, str]
    ) -> DeliveryOutcome: ...


class DeliveryObserver(Protocol):
    """Metrics hooks, called after the transaction that recorded the fact committed."""

    def attempted(self, endpoint: str, verdict: Verdict, latency: timedelta) -> None: ...

    def stepped(self, webhook_type: str, step: str) -> None: ...

    def acknowledged(self, webhook_type: str, since_trigger: timedelta) -> None: ...

    def transitioned(self, transitions: Sequence[Transition]) -> None: ...


class UnitFactory(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[Unit]: ...


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    endpoint: str
    url: str
    batch_size: int
    concurrency: int
    lease: timedelta
    replica: str


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording one attempt decided (for metrics and tests)."""

    step: str
    record: DeliveryRecord | None
    transitions: tuple[Transition, ...]
    first_acknowledgement: bool = False


@dataclass(frozen=True, slots=True)
class Sent:
    """One request of a round and its answer, waiting to be recorded."""

    claim: Claim
    outcome: DeliveryOutcome
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class Round:
    sent: int
    refused_until: datetime | None = None


async def record_attempt(
    unit: Unit,
    claim: Claim,
    outcome: DeliveryOutcome,
    *,
    breaker: CircuitBreaker,
    retry: RetryPolicy,
    endpoint: str,
    probe: bool,
    now: datetime,
    random: UnitRandom,
) -> Recorded:
    """Account for one finished attempt: breaker first (lock order), then the delivery."""
    state = await unit.breakers.lock(endpoint)
    transitions = await breakers.apply_update(
        unit, breaker.record(state, outcome, probe=probe), now=now
    )
    verdict = classify(outcome)
    record = await unit.deliveries.lock(claim.webhook_id)
    if record is None or record.claim_id != claim.claim_id:
        # Our lease expired and another worker took over; the ledger still shows this attempt.
        result = AttemptResult(verdict, "superseded", outcome)
        await unit.deliveries.finish_attempt(claim, result, now=now)
        return Recorded("superseded", record, tuple(transitions))
    step = retry.next_step(
        outcome,
        attempt=max(record.window_attempts, 1),
        started_at=record.window_started_at,
        now=now,
        random=random,
    )
    base = replace(
        record, claim_id=None, last_status_code=outcome.status_code, last_error=_error(outcome)
    )
    first_ack = False
    match step:
        case RetryAt(at=at):
            name, updated = "retry", replace(base, status="pending", next_attempt_at=at)
        case Hold(cause=cause):
            name = "held"
            updated = replace(base, status="held", next_attempt_at=now, stop_cause=cause)
        case Park(cause=cause, detail=detail):
            name = "parked"
            updated = replace(base, status="parked", next_attempt_at=now, stop_cause=cause)
            await unit.events.emit(
                parked_event(updated, f"{cause}: {detail}", now=now),
                tenant=record.operator_id,
                subject=record.webhook_id,
            )
        case _:
            name, first_ack = "delivered", record.acknowledged_at is None
            updated = replace(
                base,
                status="delivered",
                next_attempt_at=now,
                delivered_at=now,
                acknowledged_at=record.acknowledged_at or now,
                stop_cause=None,
                last_error=None,
            )
            await unit.events.emit(
                delivered_event(updated, now=now),
                tenant=record.operator_id,
                subject=record.webhook_id,
            )
            # The endpoint accepts our signature: whatever was held for it can go again.
            await unit.deliveries.redrive_held(endpoint, now=now)
    await unit.deliveries.save(updated)
    await unit.deliveries.finish_attempt(claim, AttemptResult(verdict, name, outcome), now=now)
    return Recorded(name, updated, tuple(transitions), first_acknowledgement=first_ack)


def _error(outcome: DeliveryOutcome) -> str | None:
    if outcome.status_code is None:
        return outcome.error
    if 200 <= outcome.status_code < 300:
        return None
    return f"HTTP {outcome.status_code}: {outcome.response_excerpt}"[:500]


class DeliveryWorker:
    """Runs delivery rounds for one endpoint; safe to run on many replicas at once."""

    def __init__(
        self,
        *,
        units: UnitFactory,
        sender: Sender,
        breaker: CircuitBreaker,
        retry: RetryPolicy,
        keys: SigningKeys,
        config: DeliveryConfig,
        clock: Clock,
        random: UnitRandom,
        observer: DeliveryObserver,
    ) -> None:
        self._units = units
        self._sender = sender
        self._breaker = breaker
        self._retry = retry
        self._keys = keys
        self._config = config
        self._clock = clock
        self._random = random
        self._observer = observer

    async def run_once(self) -> Round:
        """Lease what is due (one probe in half-open), send it, record every outcome."""
        config = self._config
        now = self._clock()
        async with self._units() as unit:
            admission, transitions = await breakers.admit(
                unit, self._breaker, config.endpoint, now=now
            )
            claims: list[Claim] = []
            if admission.allowed:
                claims = await unit.deliveries.claim_due(
                    endpoint=config.endpoint,
                    now=now,
                    limit=1 if admission.probe else config.batch_size,
                    lease_until=now + config.lease,
                    include_held=admission.probe,
                    replica=config.replica,
                )
                if admission.probe and not claims:
                    await breakers.give_back_probe(unit, self._breaker, config.endpoint, now=now)
        self._observer.transitioned(transitions)
        if not admission.allowed:
            return Round(0, refused_until=admission.retry_at)
        gate = asyncio.Semaphore(config.concurrency)

        async def one(claim: Claim) -> Sent:
            async with gate:
                return await self._send(claim)

        sent = await asyncio.gather(*(one(claim) for claim in claims))
        await self._record(sent, probe=admission.probe)
        return Round(len(claims))

    async def _send(self, claim: Claim) -> Sent:
        # Receivers check webhook-timestamp against their real clock: sign with wall time.
        headers = signed_headers(
            self._keys, webhook_id=claim.webhook_id, body=claim.body, at=datetime.now(UTC)
        )
        outcome = await self._sender.send(self._config.url, body=claim.body, headers=headers)
        return Sent(claim, outcome, finished_at=self._clock())

    async def _record(self, sent: Sequence[Sent], *, probe: bool) -> None:
        """Record a round's attempts in one transaction, each at the time its answer came.

        One transaction per round instead of per attempt: the breaker row is locked once and
        the per-transaction round trips (checkout, ping, BEGIN, COMMIT) are paid once.
        """
        if not sent:
            return
        async with self._units() as unit:
            recorded = [
                await record_attempt(
                    unit,
                    one.claim,
                    one.outcome,
                    breaker=self._breaker,
                    retry=self._retry,
                    endpoint=self._config.endpoint,
                    probe=probe,
                    now=one.finished_at,
                    random=self._random,
                )
                for one in sent
            ]
        for one, result in zip(sent, recorded, strict=True):
            self._observe(one.claim, one.outcome, result)

    def _observe(self, claim: Claim, outcome: DeliveryOutcome, recorded: Recorded) -> None:
        observer = self._observer
        observer.attempted(self._config.endpoint, classify(outcome), outcome.latency)
        observer.stepped(claim.webhook_type, recorded.step)
        observer.transitioned(recorded.transitions)
        record = recorded.record
        if recorded.first_acknowledgement and record and record.acknowledged_at:
            observer.acknowledged(claim.webhook_type, record.acknowledged_at - record.triggered_at)
        log.info(
            "delivery attempt %s: %s",
            claim.webhook_id,
            recorded.step,
            extra={
                "webhook_id": claim.webhook_id,
                "webhook_type": claim.webhook_type,
                "operator_id": claim.operator_id,
                "attempt": claim.attempt,
                "status_code": outcome.status_code,
                "latency_ms": round(outcome.latency.total_seconds() * 1000, 1),
                "error": outcome.error,
            },
        )
