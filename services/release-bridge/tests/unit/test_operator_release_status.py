"""An operator's release status per jurisdiction, assembled from the ledger and its deliveries."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from contracts.common import Override
from contracts.release import ReleaseDecided, ToolingRevocationDecided
from release_bridge.domain.webhook_bodies import encode_body, release_webhook, revocation_webhook
from release_bridge.service.ports import DeliveryStatus
from release_bridge.service.release_status import (
    DecisionDelivery,
    DeliveryState,
    LedgerRow,
    delivery_state,
    operator_releases,
    summarise,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OPERATOR = "op-123"


def _release(
    jurisdiction: str,
    *,
    at: datetime = T0,
    epoch: int = 1,
    override: Override | None = None,
    status: DeliveryStatus = "delivered",
    attempts: int = 1,
) -> DecisionDelivery:
    decided = ReleaseDecided(
        release_id=f"rel-{jurisdiction}-{epoch}",
        operator_id=OPERATOR,
        jurisdiction=jurisdiction,
        tooling=[f"{jurisdiction.lower()}-suite"],
        reason="manual_override" if override else "certification",
        evidence=[],
        override=override,
        epoch=epoch,
        decided_at=at,
    )
    return DecisionDelivery(
        webhook_id=decided.release_id,
        webhook_type="tooling.released.v1",
        jurisdiction=jurisdiction,
        status=status,
        attempts=attempts,
        decided_at=at,
        next_attempt_at=at + timedelta(minutes=5),
        acknowledged_at=at + timedelta(seconds=2) if status == "delivered" else None,
        body=encode_body(release_webhook(decided)),
    )


def _revocation(jurisdiction: str, *, at: datetime, epoch: int = 1) -> DecisionDelivery:
    decided = ToolingRevocationDecided(
        revocation_id=f"rev-{jurisdiction}-{epoch}",
        release_id=f"rel-{jurisdiction}-{epoch}",
        operator_id=OPERATOR,
        jurisdiction=jurisdiction,
        tooling=[f"{jurisdiction.lower()}-suite"],
        cause="policy_lapsed: needs 1 compliance_officer, has 0",
        decided_at=at,
    )
    return DecisionDelivery(
        webhook_id=decided.revocation_id,
        webhook_type="tooling.revoked.v1",
        jurisdiction=jurisdiction,
        status="pending",
        attempts=0,
        decided_at=at,
        next_attempt_at=at,
        acknowledged_at=None,
        body=encode_body(revocation_webhook(decided)),
    )


@pytest.mark.parametrize(
    ("status", "attempts", "breaker_open", "state"),
    [
        ("pending", 0, False, "pending"),
        ("pending", 2, False, "retrying"),
        ("pending", 2, True, "held"),
        ("pending", 0, True, "held"),
        ("held", 3, False, "held"),
        ("parked", 9, False, "parked"),
        ("delivered", 1, True, "delivered"),
    ],
)
def test_delivery_state_says_where_a_webhook_stands(
    status: DeliveryStatus, attempts: int, breaker_open: bool, state: DeliveryState
) -> None:
    assert delivery_state(status, attempts, breaker_open=breaker_open) == state


def test_a_forced_release_says_who_forced_it_and_why() -> None:
    override = Override(actor="sam.support", reason="regulator call")
    row = _release("MGA", override=override, status="pending", attempts=2)
    ledger = LedgerRow("MGA", released=True, policy_met=False, release_id=row.webhook_id)

    [status] = summarise([ledger], [row], breaker_open=False)

    assert (status.released, status.policy_met) == (True, False)
    assert status.release is not None
    assert status.release.how == "manual_override"
    assert status.release.override is not None
    assert (status.release.override.actor, status.release.override.reason) == (
        "sam.support",
        "regulator call",
    )
    assert status.release.delivery.state == "retrying"
    assert status.release.delivery.next_attempt_at == T0 + timedelta(minutes=5)


def test_a_release_after_a_revocation_is_the_status_and_the_old_revocation_is_history() -> None:
    rows = [
        _release("GCB", at=T0),
        _revocation("GCB", at=T0 + timedelta(days=10)),
        _release("GCB", at=T0 + timedelta(days=20), epoch=2),
    ]
    ledger = LedgerRow("GCB", released=True, policy_met=True, release_id="rel-GCB-2")

    [status] = summarise([ledger], rows, breaker_open=False)

    assert status.release is not None
    assert status.release.release_id == "rel-GCB-2"
    assert status.release.how == "policy_met"
    assert status.release.delivery.next_attempt_at is None
    assert status.revocation is None


def test_a_revocation_after_the_release_shows_its_cause_and_delivery() -> None:
    rows = [_release("IOM", at=T0), _revocation("IOM", at=T0 + timedelta(days=3))]
    ledger = LedgerRow("IOM", released=False, policy_met=False, release_id="rel-IOM-1")

    [status] = summarise([ledger], rows, breaker_open=True)

    assert status.released is False
    assert status.revocation is not None
    assert status.revocation.cause == "policy_lapsed: needs 1 compliance_officer, has 0"
    assert status.revocation.delivery.state == "held"
    assert status.release is not None
    assert status.release.delivery.state == "delivered"


def test_jurisdictions_come_from_the_ledger_and_the_deliveries_sorted() -> None:
    unreadable = DecisionDelivery(
        webhook_id="wh-1",
        webhook_type="tooling.released.v1",
        jurisdiction="AAA",
        status="pending",
        attempts=0,
        decided_at=T0,
        next_attempt_at=T0,
        acknowledged_at=None,
        body=b'{"type": "tooling.released.v1", "n": 0}',
    )
    ledgers = [LedgerRow("UKGC", released=False, policy_met=False, release_id=None)]

    statuses = summarise(ledgers, [unreadable], breaker_open=False)

    assert [s.jurisdiction for s in statuses] == ["AAA", "UKGC"]
    first = statuses[0]
    assert first.released is True
    assert first.release is not None
    assert (first.release.how, first.release.tooling, first.release.delivery.state) == (
        None,
        (),
        "pending",
    )
    assert (statuses[1].release, statuses[1].revocation) == (None, None)


@dataclass
class FakeHistory:
    ledger_rows: list[LedgerRow] = field(default_factory=list)
    rows: list[DecisionDelivery] = field(default_factory=list)
    open_endpoints: set[str] = field(default_factory=set)
    asked: list[tuple[str, str]] = field(default_factory=list)

    async def ledgers(self, operator_id: str) -> Sequence[LedgerRow]:
        return self.ledger_rows

    async def decisions(self, operator_id: str, *, endpoint: str) -> Sequence[DecisionDelivery]:
        self.asked.append((operator_id, endpoint))
        return self.rows

    async def breaker_open(self, endpoint: str) -> bool:
        return endpoint in self.open_endpoints


async def test_an_operator_without_decisions_has_an_empty_status() -> None:
    history = FakeHistory()
    assert await operator_releases(history, operator_id=OPERATOR, endpoint="portal") == []
    assert history.asked == [(OPERATOR, "portal")]


async def test_pending_releases_behind_an_open_breaker_read_as_held() -> None:
    history = FakeHistory(
        rows=[_release("MGA", status="pending", attempts=0), _release("GCB")],
        open_endpoints={"portal"},
    )
    found = await operator_releases(history, operator_id=OPERATOR, endpoint="portal")
    states = {s.jurisdiction: s.release.delivery.state for s in found if s.release}
    assert states == {"GCB": "delivered", "MGA": "held"}
