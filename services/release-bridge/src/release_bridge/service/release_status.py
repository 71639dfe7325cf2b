"""An operator's release status per jurisdiction, for its officers: released or not, how, when,
and where the webhook that told the portal stands (read-only; assembled from the ledger)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from pydantic import ValidationError

from contracts.webhooks import ToolingReleased, ToolingRevoked
from release_bridge.service.ports import RELEASE_TYPE, DeliveryStatus

REVOCATION_TYPE = "tooling.revoked.v1"
DECISION_TYPES = (RELEASE_TYPE, REVOCATION_TYPE)

#: Where a decision's webhook stands, as an operator reads it.
DeliveryState = Literal["pending", "retrying", "held", "parked", "delivered"]
#: How tooling was released: its release policy was met, or support forced it.
ReleaseHow = Literal["policy_met", "manual_override"]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """The bridge's release ledger for one operator and jurisdiction."""

    jurisdiction: str
    released: bool
    policy_met: bool
    release_id: str | None


@dataclass(frozen=True, slots=True)
class DecisionDelivery:
    """A release or revocation webhook of the operator, as queued and as delivered so far."""

    webhook_id: str
    webhook_type: str
    jurisdiction: str
    status: DeliveryStatus
    attempts: int
    decided_at: datetime
    next_attempt_at: datetime
    acknowledged_at: datetime | None
    body: bytes


class ReleaseHistory(Protocol):
    """What the status is read from (SQL in adapters/release_history.py; fakes in tests)."""

    async def ledgers(self, operator_id: str) -> Sequence[LedgerRow]: ...

    async def decisions(self, operator_id: str, *, endpoint: str) -> Sequence[DecisionDelivery]:
        """The operator's release and revocation deliveries to `endpoint`, oldest first."""
        ...

    async def breaker_open(self, endpoint: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class DeliveryView:
    webhook_id: str
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    acknowledged_at: datetime | None


@dataclass(frozen=True, slots=True)
class OverrideView:
    actor: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReleaseView:
    release_id: str
    decided_at: datetime
    how: ReleaseHow | None
    override: OverrideView | None
    tooling: tuple[str, ...]
    delivery: DeliveryView


@dataclass(frozen=True, slots=True)
class RevocationView:
    revocation_id: str
    decided_at: datetime
    cause: str | None
    tooling: tuple[str, ...]
    delivery: DeliveryView


@dataclass(frozen=True, slots=True)
class JurisdictionReleaseStatus:
    """`release` is the latest release; `revocation` the one that ended it, if any."""

    jurisdiction: str
    released: bool
    policy_met: bool
    release: ReleaseView | None
    revocation: RevocationView | None


def delivery_state(status: DeliveryStatus, attempts: int, *, breaker_open: bool) -> DeliveryState:
    """Pending work waits behind an open breaker (held); one that failed before is retrying."""
    if status in ("delivered", "parked", "held"):
        return status
    if breaker_open:
        return "held"
    return "retrying" if attempts > 0 else "pending"


def _delivery(row: DecisionDelivery, *, breaker_open: bool) -> DeliveryView:
    state = delivery_state(row.status, row.attempts, breaker_open=breaker_open)
    waiting = state in ("pending", "retrying")
    return DeliveryView(
        webhook_id=row.webhook_id,
        state=state,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if waiting else None,
        acknowledged_at=row.acknowledged_at,
    )


def _release(row: DecisionDelivery, *, breaker_open: bool) -> ReleaseView:
    """The body is the contract's webhook; one the bridge cannot read still shows its delivery."""
    try:
        data = ToolingReleased.model_validate_json(row.body).data
    except ValidationError:
        data = None
    override = data.override if data is not None else None
    how: ReleaseHow | None = None
    if data is not None:
        how = "manual_override" if data.reason == "manual_override" else "policy_met"
    return ReleaseView(
        release_id=row.webhook_id,
        decided_at=row.decided_at,
        how=how,
        override=OverrideView(override.actor, override.reason) if override else None,
        tooling=tuple(data.tooling) if data is not None else (),
        delivery=_delivery(row, breaker_open=breaker_open),
    )


def _revocation(row: DecisionDelivery, *, breaker_open: bool) -> RevocationView:
    try:
        data = ToolingRevoked.model_validate_json(row.body).data
    except ValidationError:
        data = None
    return RevocationView(
        revocation_id=row.webhook_id,
        decided_at=row.decided_at,
        cause=data.cause if data is not None else None,
        tooling=tuple(data.tooling) if data is not None else (),
        delivery=_delivery(row, breaker_open=breaker_open),
    )


def summarise(
    ledgers: Iterable[LedgerRow], decisions: Iterable[DecisionDelivery], *, breaker_open: bool
) -> list[JurisdictionReleaseStatus]:
    """One status per jurisdiction with a ledger row or a decision, sorted by jurisdiction."""
    by_ledger = {row.jurisdiction: row for row in ledgers}
    latest: dict[str, dict[str, DecisionDelivery]] = {}
    for row in sorted(decisions, key=lambda d: d.decided_at):
        latest.setdefault(row.jurisdiction, {})[row.webhook_type] = row
    statuses = []
    for jurisdiction in sorted(by_ledger.keys() | latest.keys()):
        found = latest.get(jurisdiction, {})
        released_row = found.get(RELEASE_TYPE)
        revoked_row = found.get(REVOCATION_TYPE)
        if released_row and revoked_row and revoked_row.decided_at < released_row.decided_at:
            revoked_row = None  # revoked before the latest release: history, not status
        ledger = by_ledger.get(jurisdiction)
        released = (
            ledger.released if ledger is not None else released_row is not None and not revoked_row
        )
        statuses.append(
            JurisdictionReleaseStatus(
                jurisdiction=jurisdiction,
                released=released,
                policy_met=ledger.policy_met if ledger is not None else False,
                release=_release(released_row, breaker_open=breaker_open) if released_row else None,
                revocation=_revocation(revoked_row, breaker_open=breaker_open)
                if revoked_row
                else None,
            )
        )
    return statuses


async def operator_releases(
    history: ReleaseHistory, *, operator_id: str, endpoint: str
) -> list[JurisdictionReleaseStatus]:
    """The operator's release status per jurisdiction (empty when nothing was decided yet)."""
    return summarise(
        await history.ledgers(operator_id),
        await history.decisions(operator_id, endpoint=endpoint),
        breaker_open=await history.breaker_open(endpoint),
    )
