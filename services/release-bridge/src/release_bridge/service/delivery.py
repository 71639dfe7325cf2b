"""One delivery round: ask the breaker, lease due webhooks, send them signed, record each outcome.

Leases are taken with row locks that skip rows other replicas hold, so two replicas never send
the same delivery at once; a replica that dies mid-send leaves a lease that expires, and the
delivery goes out again under the same webhook-id (the portal dedupes by it).
"""

import asyncio
import logging
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from contracts.clock import Clock
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.domain.breaker_state import Transition
from release_bridge.domain.classify import (
    DeliveryOutcome,
    RetryPolicy,
    UnitRandom,
    Verdict,
    classify,
)
from release_bridge.domain.signing import SigningKeys, signed_headers
from release_bridge.service import breakers
from release_bridge.service.ports import Claim, Unit
from release_bridge.service.recording import Recorded, Sent, record_round

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
class Round:
    sent: int
    refused_until: datetime | None = None


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
        the per-transaction round trips (checkout, ping, BEGIN, COMMIT) are paid once; each
        kind of write goes out once per round too (see `recording`).
        """
        if not sent:
            return
        async with self._units() as unit:
            recorded = await record_round(
                unit,
                sent,
                breaker=self._breaker,
                retry=self._retry,
                endpoint=self._config.endpoint,
                probe=probe,
                random=self._random,
            )
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
