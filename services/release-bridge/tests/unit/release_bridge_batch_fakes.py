"""The batch methods of the in-memory ports, each the single-item method over its items."""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from contracts.common import ReleasePolicy
from release_bridge.domain.decisions import ReleaseLedger
from release_bridge.domain.policy import HeldCertificate
from release_bridge.service.ports import CertificateRecord, LedgerKey, NewDelivery


class _SingleDecisions(Protocol):
    held: dict[str, tuple[str, HeldCertificate]]

    async def save_certificate_then_lock(
        self, operator_id: str, certificate: HeldCertificate
    ) -> None: ...

    async def lock_ledger_under_policy(
        self, operator_id: str, jurisdiction: str
    ) -> tuple[ReleaseLedger, ReleasePolicy] | None: ...

    async def certificates(self, operator_id: str, jurisdiction: str) -> list[HeldCertificate]: ...

    async def save_ledger(
        self, ledger: ReleaseLedger, *, next_check_at: datetime | None
    ) -> None: ...


class FakeDecisionBatches:
    """Mixed into `FakeDecisionStore`."""

    async def save_certificates_then_lock(
        self: _SingleDecisions, issued: Sequence[CertificateRecord]
    ) -> set[str]:
        saved: set[str] = set()
        for record in sorted(issued, key=lambda r: r.certificate.certificate_id):
            certificate = record.certificate
            stored = self.held.get(certificate.certificate_id)
            if stored is not None and (stored[0], stored[1].jurisdiction) != (
                record.operator_id,
                certificate.jurisdiction,
            ):
                continue
            await self.save_certificate_then_lock(record.operator_id, certificate)
            saved.add(certificate.certificate_id)
        return saved

    async def lock_ledgers_under_policies(
        self: _SingleDecisions, keys: Collection[LedgerKey]
    ) -> dict[LedgerKey, tuple[ReleaseLedger, ReleasePolicy]]:
        locked = {key: await self.lock_ledger_under_policy(*key) for key in sorted(set(keys))}
        return {key: found for key, found in locked.items() if found is not None}

    async def certificates_of(
        self: _SingleDecisions, keys: Collection[LedgerKey]
    ) -> dict[LedgerKey, list[HeldCertificate]]:
        return {
            key: sorted(await self.certificates(*key), key=lambda c: c.certificate_id)
            for key in keys
        }

    async def save_ledgers(
        self: _SingleDecisions, saved: Sequence[tuple[ReleaseLedger, datetime | None]]
    ) -> None:
        for ledger, next_check_at in saved:
            await self.save_ledger(ledger, next_check_at=next_check_at)


class _SingleDeliveries(Protocol):
    async def enqueue(self, delivery: NewDelivery, *, now: datetime) -> bool: ...


class FakeDeliveryBatches:
    """Mixed into `FakeDeliveryStore`."""

    async def enqueue_all(
        self: _SingleDeliveries, queue: Sequence[NewDelivery], *, now: datetime
    ) -> list[str]:
        return [d.webhook.webhook_id for d in queue if await self.enqueue(d, now=now)]
