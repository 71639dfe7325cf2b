"""What the handlers need from the outside world, as Protocols (SQL adapters; fakes in tests)."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from academy_runtime.uow import EventSink
from contracts.common import ReleasePolicy
from release_bridge.domain.breaker_state import BreakerRecord
from release_bridge.domain.classify import DeliveryOutcome, Verdict
from release_bridge.domain.decisions import ReleaseLedger
from release_bridge.domain.policy import HeldCertificate
from release_bridge.domain.reconcile import DueRelease
from release_bridge.domain.webhook_bodies import OutgoingWebhook

DeliveryStatus = Literal["pending", "held", "parked", "delivered"]
STATUSES: tuple[DeliveryStatus, ...] = ("pending", "held", "parked", "delivered")
#: Webhook types whose order per operator and jurisdiction matters (unlock, then lock).
ORDERED_TYPES = frozenset({"tooling.released.v1", "tooling.revoked.v1"})
RELEASE_TYPE = "tooling.released.v1"
#: (operator_id, jurisdiction): one release ledger row.
LedgerKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    policy: ReleasePolicy
    version: str
    catalogue_version: str
    published_at: datetime


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """A stored certificate and the operator it belongs to."""

    operator_id: str
    certificate: HeldCertificate


class DecisionStore(Protocol):
    async def save_policy(self, stored: StoredPolicy) -> bool:
        """Store unless a newer one is stored; True when stored."""
        ...

    async def lock_jurisdiction(self, jurisdiction: str, *, exclusive: bool) -> None: ...

    async def policy(self, jurisdiction: str) -> ReleasePolicy | None: ...

    async def published_jurisdictions(self) -> list[str]:
        """Jurisdictions the catalogue has published a release policy for, sorted."""
        ...

    async def go_live(self, operator_id: str) -> list[str] | None:
        """The operator's go-live jurisdictions; None when assessment never set any for it."""
        ...

    async def operator_ids(self) -> list[str]:
        """Every operator with a go-live record (the operators the bridge knows)."""
        ...

    async def set_go_live(
        self, operator_id: str, jurisdictions: list[str], *, at: datetime
    ) -> None:
        """Replace the operator's go-live jurisdictions (as assessment last set them)."""
        ...

    async def save_certificate(self, operator_id: str, certificate: HeldCertificate) -> None: ...

    async def save_certificate_then_lock(
        self, operator_id: str, certificate: HeldCertificate
    ) -> None:
        """`save_certificate`, then `lock_jurisdiction` (shared) of its jurisdiction."""
        ...

    async def end_certificate(
        self,
        certificate_id: str,
        *,
        expired_at: datetime | None = None,
        revoked_at: datetime | None = None,
    ) -> CertificateRecord | None:
        """Mark a certificate expired or revoked; None when the bridge never heard of it."""
        ...

    async def certificates(self, operator_id: str, jurisdiction: str) -> list[HeldCertificate]: ...

    async def lock_ledger(self, operator_id: str, jurisdiction: str) -> ReleaseLedger:
        """The ledger row, created if missing, locked until the transaction ends."""
        ...

    async def lock_ledger_under_policy(
        self, operator_id: str, jurisdiction: str
    ) -> tuple[ReleaseLedger, ReleasePolicy] | None:
        """`lock_ledger` and `policy` at once; None (and no row made) while no policy is known."""
        ...

    async def save_ledger(
        self, ledger: ReleaseLedger, *, next_check_at: datetime | None
    ) -> None: ...

    async def save_certificates_then_lock(self, issued: Sequence[CertificateRecord]) -> set[str]:
        """`save_certificate_then_lock` for several (ids distinct), locks in sorted order;
        one stored for another operator or jurisdiction is left unsaved. The ids saved."""
        ...

    async def lock_ledgers_under_policies(
        self, keys: Collection[LedgerKey]
    ) -> dict[LedgerKey, tuple[ReleaseLedger, ReleasePolicy]]:
        """`lock_ledger_under_policy` for each key, locked in sorted order; keys without a
        policy are left out."""
        ...

    async def certificates_of(
        self, keys: Collection[LedgerKey]
    ) -> dict[LedgerKey, list[HeldCertificate]]:
        """`certificates` of each key."""
        ...

    async def save_ledgers(self, saved: Sequence[tuple[ReleaseLedger, datetime | None]]) -> None:
        """`save_ledger` for each (ledger, next_check_at)."""
        ...

    async def operators_with_certificates(self, jurisdiction: str) -> list[str]: ...

    async def due_checks(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(operator, jurisdiction) whose policy may have lapsed by `now`."""
        ...


@dataclass(frozen=True, slots=True)
class NewDelivery:
    webhook: OutgoingWebhook
    endpoint: str
    decided_at: datetime
    triggered_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One delivery row; `window_*` restart when support re-drives it."""

    webhook_id: str
    webhook_type: str
    operator_id: str
    jurisdiction: str
    endpoint: str
    status: DeliveryStatus
    attempts: int
    window_attempts: int
    window_started_at: datetime
    next_attempt_at: datetime
    decided_at: datetime
    triggered_at: datetime
    claim_id: str | None = None
    acknowledged_at: datetime | None = None
    delivered_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    stop_cause: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery leased to this worker for one attempt."""

    webhook_id: str
    webhook_type: str
    operator_id: str
    jurisdiction: str
    body: bytes
    claim_id: str
    attempt: int


@dataclass(frozen=True, slots=True)
class AttemptResult:
    verdict: Verdict
    next_step: str
    outcome: DeliveryOutcome


@dataclass(frozen=True, slots=True)
class FinishedAttempt:
    """An attempt's outcome for the ledger, at the time its answer came."""

    claim: Claim
    result: AttemptResult
    at: datetime


class DeliveryStore(Protocol):
    async def enqueue(self, delivery: NewDelivery, *, now: datetime) -> bool:
        """Add unless the webhook id exists (decisions are replayable); True when added."""
        ...

    async def enqueue_all(self, queue: Sequence[NewDelivery], *, now: datetime) -> list[str]:
        """`enqueue` for each, in order; the webhook ids added."""
        ...

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
        """Lease due deliveries (skipping ones locked by other replicas) and open attempts."""
        ...

    async def lock(self, webhook_id: str) -> DeliveryRecord | None: ...

    async def lock_all(self, webhook_ids: Collection[str]) -> Mapping[str, DeliveryRecord]:
        """The rows that exist among `webhook_ids`, row-locked until the transaction ends."""
        ...

    async def save(self, record: DeliveryRecord) -> None: ...

    async def save_all(self, records: Sequence[DeliveryRecord]) -> None:
        """`save` for several rows in one statement."""
        ...

    async def finish_attempts(self, finished: Sequence[FinishedAttempt]) -> None:
        """Close the attempts the claims opened, in one statement."""
        ...

    async def redrive_held(
        self, endpoint: str, *, now: datetime, keep: Collection[str] = ()
    ) -> int:
        """Send held deliveries again, except `keep` (rows the caller writes itself)."""
        ...

    async def requeue_range(
        self,
        *,
        endpoint: str,
        since: datetime,
        until: datetime,
        operator_id: str | None,
        now: datetime,
    ) -> list[str]: ...

    async def unacknowledged_releases(
        self, endpoint: str, *, limit: int
    ) -> tuple[list[DueRelease], int]:
        """The oldest `limit` releases not acknowledged yet, and how many there are in all."""
        ...

    async def status_counts(self, endpoint: str) -> dict[DeliveryStatus, int]: ...


class BreakerStore(Protocol):
    async def lock(self, endpoint: str) -> BreakerRecord:
        """The endpoint's state (closed when new), row-locked until the transaction ends."""
        ...

    async def save(self, state: BreakerRecord) -> None: ...

    async def all(self) -> Sequence[BreakerRecord]: ...


@dataclass(frozen=True, slots=True)
class SupportAction:
    action: str
    actor: str
    reason: str
    at: datetime
    operator_id: str | None = None
    target: str | None = None
    details: dict[str, str] | None = None


class SupportLog(Protocol):
    async def record(self, action: SupportAction) -> None: ...


class Unit(Protocol):
    """Everything one transaction offers; built per transaction by the adapters."""

    decisions: DecisionStore
    deliveries: DeliveryStore
    breakers: BreakerStore
    support: SupportLog
    events: EventSink
