"""In-memory implementations of the service ports, for unit tests of the real handlers."""

import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from release_bridge_batch_fakes import FakeDecisionBatches, FakeDeliveryBatches

from contracts import Envelope
from contracts.base import EventData
from contracts.common import ReleasePolicy
from release_bridge.domain.breaker_state import BreakerRecord
from release_bridge.domain.decisions import ReleaseLedger
from release_bridge.domain.policy import HeldCertificate
from release_bridge.domain.reconcile import DueRelease
from release_bridge.service.ports import (
    ORDERED_TYPES,
    RELEASE_TYPE,
    AttemptResult,
    CertificateRecord,
    Claim,
    DeliveryRecord,
    DeliveryStatus,
    FinishedAttempt,
    NewDelivery,
    StoredPolicy,
    SupportAction,
)


@dataclass
class FakeEvents:
    emitted: list[tuple[EventData, str, str | None]] = field(default_factory=list)

    async def emit(
        self,
        data: EventData,
        *,
        tenant: str,
        subject: str | None = None,
        event_id: str | None = None,
    ) -> Envelope[Any]:
        self.emitted.append((data, tenant, subject))
        return Envelope(data=data, tenantid=tenant, source="/academy/test", subject=subject)

    def of(self, kind: type[Any]) -> list[Any]:
        return [data for data, _, _ in self.emitted if isinstance(data, kind)]


@dataclass
class FakeDecisionStore(FakeDecisionBatches):
    policies: dict[str, StoredPolicy] = field(default_factory=dict)
    held: dict[str, tuple[str, HeldCertificate]] = field(default_factory=dict)
    locks: list[tuple[str, bool]] = field(default_factory=list)
    ledgers: dict[tuple[str, str], tuple[ReleaseLedger, datetime | None]] = field(
        default_factory=dict
    )
    go_lives: dict[str, list[str]] = field(default_factory=dict)

    async def save_policy(self, stored: StoredPolicy) -> bool:
        current = self.policies.get(stored.policy.jurisdiction)
        if current is not None and current.published_at > stored.published_at:
            return False
        self.policies[stored.policy.jurisdiction] = stored
        return True

    async def lock_jurisdiction(self, jurisdiction: str, *, exclusive: bool) -> None:
        self.locks.append((jurisdiction, exclusive))

    async def policy(self, jurisdiction: str) -> ReleasePolicy | None:
        stored = self.policies.get(jurisdiction)
        return stored.policy if stored else None

    async def published_jurisdictions(self) -> list[str]:
        return sorted(self.policies)

    async def go_live(self, operator_id: str) -> list[str] | None:
        found = self.go_lives.get(operator_id)
        return sorted(found) if found is not None else None

    async def operator_ids(self) -> list[str]:
        return sorted(self.go_lives)

    async def set_go_live(
        self, operator_id: str, jurisdictions: list[str], *, at: datetime
    ) -> None:
        self.go_lives[operator_id] = list(jurisdictions)

    async def save_certificate_then_lock(
        self, operator_id: str, certificate: HeldCertificate
    ) -> None:
        await self.save_certificate(operator_id, certificate)
        await self.lock_jurisdiction(certificate.jurisdiction, exclusive=False)

    async def save_certificate(self, operator_id: str, certificate: HeldCertificate) -> None:
        self.held[certificate.certificate_id] = (operator_id, certificate)

    async def end_certificate(
        self,
        certificate_id: str,
        *,
        expired_at: datetime | None = None,
        revoked_at: datetime | None = None,
    ) -> CertificateRecord | None:
        if certificate_id not in self.held:
            return None
        operator_id, cert = self.held[certificate_id]
        if expired_at is not None:
            cert = replace(cert, expires_at=min(cert.expires_at, expired_at))
        if revoked_at is not None:
            cert = replace(cert, revoked=True)
        self.held[certificate_id] = (operator_id, cert)
        return CertificateRecord(operator_id, cert)

    async def certificates(self, operator_id: str, jurisdiction: str) -> list[HeldCertificate]:
        return [
            cert
            for owner, cert in self.held.values()
            if owner == operator_id and cert.jurisdiction == jurisdiction
        ]

    async def lock_ledger(self, operator_id: str, jurisdiction: str) -> ReleaseLedger:
        key = (operator_id, jurisdiction)
        if key not in self.ledgers:
            self.ledgers[key] = (ReleaseLedger(operator_id, jurisdiction), None)
        return self.ledgers[key][0]

    async def lock_ledger_under_policy(
        self, operator_id: str, jurisdiction: str
    ) -> tuple[ReleaseLedger, ReleasePolicy] | None:
        policy = await self.policy(jurisdiction)
        if policy is None:
            return None
        return await self.lock_ledger(operator_id, jurisdiction), policy

    async def save_ledger(self, ledger: ReleaseLedger, *, next_check_at: datetime | None) -> None:
        self.ledgers[(ledger.operator_id, ledger.jurisdiction)] = (ledger, next_check_at)

    async def operators_with_certificates(self, jurisdiction: str) -> list[str]:
        owners = {o for o, c in self.held.values() if c.jurisdiction == jurisdiction}
        return sorted(owners | {o for o, j in self.ledgers if j == jurisdiction})

    async def due_checks(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        due = [
            key
            for key, (ledger, at) in self.ledgers.items()
            if at is not None and at <= now and (ledger.released or ledger.policy_met)
        ]
        return due[:limit]


@dataclass
class FakeDeliveryStore(FakeDeliveryBatches):
    rows: dict[str, DeliveryRecord] = field(default_factory=dict)
    bodies: dict[str, bytes] = field(default_factory=dict)
    attempts: list[tuple[Claim, AttemptResult | None]] = field(default_factory=list)

    async def enqueue(self, delivery: NewDelivery, *, now: datetime) -> bool:
        webhook = delivery.webhook
        if webhook.webhook_id in self.rows:
            return False
        self.rows[webhook.webhook_id] = DeliveryRecord(
            webhook_id=webhook.webhook_id,
            webhook_type=webhook.webhook_type,
            operator_id=webhook.operator_id,
            jurisdiction=webhook.jurisdiction,
            endpoint=delivery.endpoint,
            status="pending",
            attempts=0,
            window_attempts=0,
            window_started_at=now,
            next_attempt_at=now,
            decided_at=delivery.decided_at,
            triggered_at=delivery.triggered_at,
        )
        self.bodies[webhook.webhook_id] = webhook.body
        return True

    async def claim_due(
        self,
        *,
        endpoint: str,
        now: datetime,
        limit: int,
        lease_until: datetime,
        include_held: bool,
        replica: str,
    ) -> list[Claim]:
        statuses = {"pending", "held"} if include_held else {"pending"}
        order = list(self.rows)
        due = [
            row
            for row in self.rows.values()
            if row.endpoint == endpoint
            and row.status in statuses
            and row.next_attempt_at <= now
            and not self._blocked(row, order)
        ][:limit]
        claim_id = uuid.uuid4().hex
        claims = []
        for row in due:
            claimed = replace(
                row,
                claim_id=claim_id,
                next_attempt_at=lease_until,
                attempts=row.attempts + 1,
                window_attempts=row.window_attempts + 1,
            )
            self.rows[row.webhook_id] = claimed
            claim = Claim(
                row.webhook_id,
                row.webhook_type,
                row.operator_id,
                row.jurisdiction,
                self.bodies[row.webhook_id],
                claim_id,
                claimed.attempts,
            )
            self.attempts.append((claim, None))
            claims.append(claim)
        return claims

    def _blocked(self, row: DeliveryRecord, order: list[str]) -> bool:
        if row.webhook_type not in ORDERED_TYPES:
            return False
        mine = order.index(row.webhook_id)
        return any(
            other.webhook_type in ORDERED_TYPES
            and (other.operator_id, other.jurisdiction) == (row.operator_id, row.jurisdiction)
            and order.index(other.webhook_id) < mine
            and other.status != "delivered"
            for other in self.rows.values()
        )

    async def lock(self, webhook_id: str) -> DeliveryRecord | None:
        return self.rows.get(webhook_id)

    async def lock_all(self, webhook_ids: Collection[str]) -> dict[str, DeliveryRecord]:
        return {i: self.rows[i] for i in webhook_ids if i in self.rows}

    async def save(self, record: DeliveryRecord) -> None:
        self.rows[record.webhook_id] = record

    async def save_all(self, records: Sequence[DeliveryRecord]) -> None:
        for record in records:
            self.rows[record.webhook_id] = record

    async def finish_attempts(self, finished: Sequence[FinishedAttempt]) -> None:
        results = {one.claim: one.result for one in finished}
        self.attempts = [(c, results.get(c, r)) for c, r in self.attempts]

    async def redrive_held(
        self, endpoint: str, *, now: datetime, keep: Collection[str] = ()
    ) -> int:
        held = [
            r
            for r in self.rows.values()
            if r.endpoint == endpoint and r.status == "held" and r.webhook_id not in keep
        ]
        for row in held:
            self.rows[row.webhook_id] = replace(
                row, status="pending", next_attempt_at=now, stop_cause=None
            )
        return len(held)

    async def requeue_range(
        self,
        *,
        endpoint: str,
        since: datetime,
        until: datetime,
        operator_id: str | None,
        now: datetime,
    ) -> list[str]:
        ids = [
            row.webhook_id
            for row in self.rows.values()
            if row.endpoint == endpoint
            and since <= row.decided_at < until
            and operator_id in (None, row.operator_id)
        ]
        for webhook_id in ids:
            self.rows[webhook_id] = replace(
                self.rows[webhook_id],
                status="pending",
                next_attempt_at=now,
                window_started_at=now,
                window_attempts=0,
                claim_id=None,
                stop_cause=None,
            )
        return ids

    async def unacknowledged_releases(
        self, endpoint: str, *, limit: int
    ) -> tuple[list[DueRelease], int]:
        due = [
            DueRelease(r.webhook_id, r.operator_id, r.jurisdiction, r.decided_at)
            for r in self.rows.values()
            if r.endpoint == endpoint and r.webhook_type == RELEASE_TYPE and not r.acknowledged_at
        ]
        return due[:limit], len(due)

    async def status_counts(self, endpoint: str) -> dict[DeliveryStatus, int]:
        counts: dict[DeliveryStatus, int] = {"pending": 0, "held": 0, "parked": 0}
        for row in self.rows.values():
            if row.endpoint == endpoint and row.status != "delivered":
                counts[row.status] += 1
        return counts

    def status_of(self, webhook_id: str) -> str:
        return self.rows[webhook_id].status


@dataclass
class FakeBreakerStore:
    states: dict[str, BreakerRecord] = field(default_factory=dict)

    async def lock(self, endpoint: str) -> BreakerRecord:
        return self.states.setdefault(endpoint, BreakerRecord(endpoint))

    async def save(self, state: BreakerRecord) -> None:
        self.states[state.endpoint] = state

    async def all(self) -> Sequence[BreakerRecord]:
        return list(self.states.values())


@dataclass
class FakeSupportLog:
    actions: list[SupportAction] = field(default_factory=list)

    async def record(self, action: SupportAction) -> None:
        self.actions.append(action)


@dataclass
class FakeUnit:
    """One shared in-memory 'database'; every unit of work sees the same state."""

    decisions: FakeDecisionStore = field(default_factory=FakeDecisionStore)
    deliveries: FakeDeliveryStore = field(default_factory=FakeDeliveryStore)
    breakers: FakeBreakerStore = field(default_factory=FakeBreakerStore)
    support: FakeSupportLog = field(default_factory=FakeSupportLog)
    events: FakeEvents = field(default_factory=FakeEvents)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator["FakeUnit"]:
        yield self
