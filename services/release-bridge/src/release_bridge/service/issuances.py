"""A run of CertificationIssued decided with one statement per kind of work, not six per event.

The result equals handling the run's events one by one in offset order (`releases.
certification_issued`): same certificates, ledger rows, decisions, events in order per
operator, webhook bodies and delivery rows. Why it can:

- An event whose operator or certificate appears only once in the run ("alone") reads and
  writes only its own certificate and its own (operator, jurisdiction) ledger row, and emits
  only its operator's events; nothing another event does in the run changes what it sees, so
  the order among such events does not matter, except for the order of rows and events,
  which is kept (offset order).
- Events of an operator or certificate that appears more than once are handled one by one,
  in offset order, by the per-event handler after the others: they share nothing with them.
- A certificate stored for another operator or jurisdiction would move, changing what its
  old owner's decision sees depending on offset order: then the whole run goes one by one
  (the batched upsert left those certificates unsaved and saved only rows no other event reads).

Locks keep the per-event order: certificate row, then the shared jurisdiction lock (a later
statement reads the policy, so it sees one committed while we waited), then the ledger row,
then the certificates read; several of a kind are taken in sorted order in one statement.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts.assessment import CertificationIssued
from release_bridge.domain import decisions
from release_bridge.domain.decisions import DecisionOutcome
from release_bridge.service import releases
from release_bridge.service.ports import CertificateRecord, NewDelivery, Unit
from release_bridge.service.releases import DecisionContext

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Issued:
    """One CertificationIssued with its envelope's tenant (the operator) and time."""

    event: CertificationIssued
    operator_id: str
    event_time: datetime


async def certifications_issued(unit: Unit, ctx: DecisionContext, run: Sequence[Issued]) -> None:
    """Decide a run of issuances (in offset order) as one-by-one handling would."""
    operators = Counter(issued.operator_id for issued in run)
    certificate_ids = Counter(issued.event.certificate_id for issued in run)
    alone: list[Issued] = []
    together: list[Issued] = []
    for issued in run:
        shares = (
            operators[issued.operator_id] > 1 or certificate_ids[issued.event.certificate_id] > 1
        )
        (together if shares else alone).append(issued)
    if alone and not await _decide_alone(unit, ctx, alone):
        together = list(run)
    for issued in together:
        await releases.certification_issued(
            unit, ctx, issued.event, operator_id=issued.operator_id, event_time=issued.event_time
        )


async def _decide_alone(unit: Unit, ctx: DecisionContext, alone: Sequence[Issued]) -> bool:
    """Decide events that share no operator or certificate; False (nothing decided) when a
    certificate is stored for another owner."""
    records = [
        CertificateRecord(issued.operator_id, releases.issued_certificate(issued.event))
        for issued in alone
    ]
    saved = await unit.decisions.save_certificates_then_lock(records)
    if len(saved) < len(records):
        log.info(
            "a certificate changes owner; run decided one event at a time",
            extra={"moved": sorted({r.certificate.certificate_id for r in records} - saved)},
        )
        return False
    keys = [(issued.operator_id, issued.event.jurisdiction) for issued in alone]
    locked = await unit.decisions.lock_ledgers_under_policies(keys)
    held = await unit.decisions.certificates_of(list(locked))
    outcomes: list[tuple[DecisionOutcome, datetime]] = []
    for issued, key in zip(alone, keys, strict=True):
        if key not in locked:
            log.info(
                "no release policy yet; decision waits for it",
                extra={"operator_id": key[0], "jurisdiction": key[1]},
            )
            continue
        ledger, policy = locked[key]
        outcome = decisions.decide(ledger, policy, held[key], now=ctx.now)
        outcomes.append((outcome, issued.event_time))
    await _apply_outcomes(unit, ctx, outcomes)
    return True


async def _apply_outcomes(
    unit: Unit, ctx: DecisionContext, outcomes: Sequence[tuple[DecisionOutcome, datetime]]
) -> None:
    """`releases.apply_outcome` for each, one statement per kind of write, rows in order."""
    await unit.decisions.save_ledgers(
        [(outcome.ledger, outcome.evaluation.lapses_at) for outcome, _ in outcomes]
    )
    queue: list[NewDelivery] = []
    for outcome, triggered_at in outcomes:
        for data, subject in releases.decided_events(outcome):
            await unit.events.emit(data, tenant=outcome.ledger.operator_id, subject=subject)
        queue.extend(
            NewDelivery(
                webhook=webhook,
                endpoint=ctx.endpoint,
                decided_at=ctx.now,
                triggered_at=triggered_at,
            )
            for webhook in releases.decided_webhooks(outcome)
        )
        releases.log_outcome(outcome)
    await unit.deliveries.enqueue_all(queue, now=ctx.now)
