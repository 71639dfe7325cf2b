"""Handlers that turn certificate and policy events into release decisions and deliveries.

Each runs inside the caller's transaction: the ledger row of the operator and jurisdiction is
locked, the decision is stored, its event staged in the outbox and its webhook queued, all or
nothing. Ids are uuid5 of (operator, jurisdiction, epoch), so a replayed event changes nothing.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from contracts.assessment import (
    CertificationExpired,
    CertificationExpiring,
    CertificationIssued,
    CertificationRevoked,
)
from contracts.base import EventData
from contracts.catalogue import ReleasePolicyPublished
from release_bridge.domain import decisions
from release_bridge.domain.decisions import CertificateNotice, DecisionOutcome
from release_bridge.domain.policy import HeldCertificate
from release_bridge.domain.webhook_bodies import (
    OutgoingWebhook,
    outgoing,
    release_webhook,
    revocation_webhook,
)
from release_bridge.service.ports import NewDelivery, StoredPolicy, Unit

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """Where webhooks go and what time it is, for one handler call."""

    endpoint: str
    now: datetime


async def reevaluate(
    unit: Unit,
    ctx: DecisionContext,
    *,
    operator_id: str,
    jurisdiction: str,
    triggered_at: datetime,
    notice: CertificateNotice | None = None,
    jurisdiction_locked: bool = False,
) -> DecisionOutcome | None:
    """Decide again for one operator and jurisdiction; None while no policy is known.

    `jurisdiction_locked`: the caller holds the shared jurisdiction lock already.
    """
    # Shared with other decisions, exclusive against a policy being stored: otherwise a pass
    # committed while the jurisdiction's first policy is stored is seen by neither transaction
    # (READ COMMITTED) and stays undecided for good.
    # The policy is read by a statement after the lock's, so its snapshot sees a policy that
    # committed while we waited; certificates likewise after the ledger row's lock.
    if not jurisdiction_locked:
        await unit.decisions.lock_jurisdiction(jurisdiction, exclusive=False)
    locked = await unit.decisions.lock_ledger_under_policy(operator_id, jurisdiction)
    if locked is None:
        log.info(
            "no release policy yet; decision waits for it",
            extra={"operator_id": operator_id, "jurisdiction": jurisdiction},
        )
        return None
    ledger, policy = locked
    certificates = await unit.decisions.certificates(operator_id, jurisdiction)
    outcome = decisions.decide(ledger, policy, certificates, now=ctx.now, notice=notice)
    await apply_outcome(unit, ctx, outcome, triggered_at=triggered_at)
    return outcome


async def apply_outcome(
    unit: Unit, ctx: DecisionContext, outcome: DecisionOutcome, *, triggered_at: datetime
) -> None:
    ledger = outcome.ledger
    await unit.decisions.save_ledger(ledger, next_check_at=outcome.evaluation.lapses_at)
    for data, subject in decided_events(outcome):
        await unit.events.emit(data, tenant=ledger.operator_id, subject=subject)
    for webhook in decided_webhooks(outcome):
        await _queue(unit, ctx, webhook, triggered_at)
    log_outcome(outcome)


def decided_events(outcome: DecisionOutcome) -> list[tuple[EventData, str]]:
    """The events an outcome emits (tenant: its operator), with their subjects, in order."""
    events: list[tuple[EventData, str]] = []
    if outcome.release is not None:
        events.append((outcome.release, outcome.release.release_id))
    if outcome.revocation is not None:
        events.append((outcome.revocation, outcome.revocation.revocation_id))
    return events


def decided_webhooks(outcome: DecisionOutcome) -> list[OutgoingWebhook]:
    """The webhooks an outcome queues, in order: release, revocation, notice."""
    webhooks: list[OutgoingWebhook] = []
    if outcome.release is not None:
        webhooks.append(outgoing(release_webhook(outcome.release)))
    if outcome.revocation is not None:
        webhooks.append(outgoing(revocation_webhook(outcome.revocation)))
    if outcome.notice is not None:
        webhooks.append(outgoing(outcome.notice))
    return webhooks


def log_outcome(outcome: DecisionOutcome) -> None:
    ledger = outcome.ledger
    if outcome.release is not None:
        log.info(
            "release decided",
            extra={
                "release_id": outcome.release.release_id,
                "operator_id": ledger.operator_id,
                "epoch": ledger.epoch,
            },
        )
    if outcome.revocation is not None:
        log.info("revocation decided", extra={"revocation_id": outcome.revocation.revocation_id})


async def _queue(
    unit: Unit, ctx: DecisionContext, webhook: OutgoingWebhook, triggered_at: datetime
) -> None:
    delivery = NewDelivery(
        webhook=webhook, endpoint=ctx.endpoint, decided_at=ctx.now, triggered_at=triggered_at
    )
    await unit.deliveries.enqueue(delivery, now=ctx.now)


def issued_certificate(event: CertificationIssued) -> HeldCertificate:
    """The certificate an issuance stores, with its holder's training record as issued."""
    return HeldCertificate(
        certificate_id=event.certificate_id,
        staff_id=event.staff_id,
        role=event.role,
        jurisdiction=event.jurisdiction,
        track_version=event.track_version,
        passed_at=event.passed_at,
        expires_at=event.expires_at,
        training=event.training.record() if event.training is not None else None,
    )


async def certification_issued(
    unit: Unit,
    ctx: DecisionContext,
    event: CertificationIssued,
    *,
    operator_id: str,
    event_time: datetime,
) -> None:
    certificate = issued_certificate(event)
    await unit.decisions.save_certificate_then_lock(operator_id, certificate)
    await reevaluate(
        unit,
        ctx,
        operator_id=operator_id,
        jurisdiction=event.jurisdiction,
        triggered_at=event_time,
        jurisdiction_locked=True,
    )


async def certification_expiring(
    unit: Unit,
    ctx: DecisionContext,
    event: CertificationExpiring,
    *,
    operator_id: str,
    event_time: datetime,
) -> None:
    notice = CertificateNotice(
        kind="expiring",
        certificate_id=event.certificate_id,
        staff_id=event.staff_id,
        role=event.role,
        expires_at=event.expires_at,
        at=event_time,
    )
    await reevaluate(
        unit,
        ctx,
        operator_id=operator_id,
        jurisdiction=event.jurisdiction,
        triggered_at=event_time,
        notice=notice,
    )


async def certification_expired(
    unit: Unit,
    ctx: DecisionContext,
    event: CertificationExpired,
    *,
    operator_id: str,
    event_time: datetime,
) -> None:
    record = await unit.decisions.end_certificate(event.certificate_id, expired_at=event.expired_at)
    expires_at = record.certificate.expires_at if record is not None else event.expired_at
    notice = CertificateNotice(
        kind="expired",
        certificate_id=event.certificate_id,
        staff_id=event.staff_id,
        role=event.role,
        expires_at=min(expires_at, event.expired_at),
        at=event.expired_at,
    )
    await reevaluate(
        unit,
        ctx,
        operator_id=record.operator_id if record is not None else operator_id,
        jurisdiction=event.jurisdiction,
        triggered_at=event_time,
        notice=notice,
    )


async def certification_revoked(
    unit: Unit,
    ctx: DecisionContext,
    event: CertificationRevoked,
    *,
    operator_id: str,
    event_time: datetime,
) -> None:
    record = await unit.decisions.end_certificate(event.certificate_id, revoked_at=event.revoked_at)
    if record is None:
        log.warning("revocation of an unknown certificate", extra={"id": event.certificate_id})
    await reevaluate(
        unit,
        ctx,
        operator_id=record.operator_id if record is not None else operator_id,
        jurisdiction=event.jurisdiction,
        triggered_at=event_time,
    )


async def release_policy_published(
    unit: Unit, ctx: DecisionContext, event: ReleasePolicyPublished, *, event_time: datetime
) -> int:
    """Store the policy and decide again for every operator certified in its jurisdiction."""
    stored = StoredPolicy(
        policy=event.policy,
        version=event.version,
        catalogue_version=event.catalogue_version,
        published_at=event.published_at,
    )
    await unit.decisions.lock_jurisdiction(event.policy.jurisdiction, exclusive=True)
    if not await unit.decisions.save_policy(stored):
        return 0
    jurisdiction = event.policy.jurisdiction
    operators = await unit.decisions.operators_with_certificates(jurisdiction)
    for operator_id in sorted(operators):
        await reevaluate(
            unit, ctx, operator_id=operator_id, jurisdiction=jurisdiction, triggered_at=event_time
        )
    return len(operators)


async def recheck_due(unit: Unit, ctx: DecisionContext, *, limit: int = 100) -> int:
    """Decide again where a certificate lapsed by now, even if its expiry event is late."""
    due = await unit.decisions.due_checks(ctx.now, limit)
    for operator_id, jurisdiction in due:
        await reevaluate(
            unit, ctx, operator_id=operator_id, jurisdiction=jurisdiction, triggered_at=ctx.now
        )
    return len(due)
