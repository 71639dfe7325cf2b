"""Recording a delivery round: each attempt accounted for in order, the writes batched.

The outcome is the one of recording the attempts one by one (breaker first, then the
delivery), but every kind of write goes out once per round: the breaker row, the delivery rows,
the attempt ledger and the re-drive of held deliveries (the outbox sink stages a unit's events
in one insert at commit, in the order they were emitted).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from contracts import topics
from contracts.base import EventData
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.domain.breaker_state import Transition
from release_bridge.domain.classify import (
    DeliveryOutcome,
    Hold,
    Park,
    RetryAt,
    RetryPolicy,
    UnitRandom,
    classify,
)
from release_bridge.service.breakers import log_transition
from release_bridge.service.events import delivered_event, parked_event
from release_bridge.service.ports import (
    AttemptResult,
    Claim,
    DeliveryRecord,
    FinishedAttempt,
    Unit,
)


@dataclass(frozen=True, slots=True)
class Sent:
    """One request of a round and its answer, waiting to be recorded."""

    claim: Claim
    outcome: DeliveryOutcome
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording one attempt decided (for metrics and tests)."""

    step: str
    record: DeliveryRecord | None
    transitions: tuple[Transition, ...]
    first_acknowledgement: bool = False


class _RoundLedger:
    """The round's delivery rows as recording goes, and the writes it owes the database."""

    def __init__(self, endpoint: str, locked: dict[str, DeliveryRecord]) -> None:
        self.endpoint = endpoint
        self.rows = locked
        self.changed: dict[str, None] = {}  # ids in order of first change
        self.redrive_at: datetime | None = None
        self.redriven = 0

    def put(self, record: DeliveryRecord) -> None:
        self.rows[record.webhook_id] = record
        self.changed[record.webhook_id] = None

    def redrive(self, now: datetime) -> None:
        """What `redrive_held` at `now` does, on the round's rows; the rest of the endpoint's
        held rows go once at the end, at the first such time: while the breaker row is locked
        only recording holds a delivery, so after the first re-drive none is left outside."""
        if self.redrive_at is None:
            self.redrive_at = now
        for record in list(self.rows.values()):
            if record.endpoint == self.endpoint and record.status == "held":
                self.put(replace(record, status="pending", next_attempt_at=now, stop_cause=None))
                self.redriven += 1


async def record_round(
    unit: Unit,
    sent: Sequence[Sent],
    *,
    breaker: CircuitBreaker,
    retry: RetryPolicy,
    endpoint: str,
    probe: bool,
    random: UnitRandom,
) -> list[Recorded]:
    """Account for a round's finished attempts in order: breaker first (lock order)."""
    locked_state = await unit.breakers.lock(endpoint)
    ledger = _RoundLedger(
        endpoint, dict(await unit.deliveries.lock_all([one.claim.webhook_id for one in sent]))
    )
    state = locked_state
    finished: list[FinishedAttempt] = []
    transitions: list[Transition] = []
    recorded: list[Recorded] = []
    for one in sent:
        claim, outcome, now = one.claim, one.outcome, one.finished_at
        update = breaker.record(state, outcome, probe=probe)
        state = update.state
        transitions.extend(update.transitions)
        for transition in update.transitions:
            await unit.events.emit(
                transition.to_event(), tenant=topics.PLATFORM_TENANT, subject=transition.endpoint
            )
            if transition.to_state == "closed":
                ledger.redrive(now)
        verdict = classify(outcome)
        record = ledger.rows.get(claim.webhook_id)
        if record is None or record.claim_id != claim.claim_id:
            # Our lease expired and another worker took over; the ledger still shows this attempt.
            finished.append(
                FinishedAttempt(claim, AttemptResult(verdict, "superseded", outcome), now)
            )
            recorded.append(Recorded("superseded", record, update.transitions))
            continue
        name, updated, event = _next(record, outcome, retry=retry, now=now, random=random)
        ledger.put(updated)
        if event is not None:
            await unit.events.emit(event, tenant=record.operator_id, subject=record.webhook_id)
        if name == "delivered":
            # The endpoint accepts our signature: whatever was held for it can go again.
            ledger.redrive(now)
        finished.append(FinishedAttempt(claim, AttemptResult(verdict, name, outcome), now))
        first_ack = name == "delivered" and record.acknowledged_at is None
        recorded.append(Recorded(name, updated, update.transitions, first_ack))
    if state != locked_state:
        await unit.breakers.save(state)
    await unit.deliveries.save_all([ledger.rows[webhook_id] for webhook_id in ledger.changed])
    await unit.deliveries.finish_attempts(finished)
    if ledger.redrive_at is not None:
        ledger.redriven += await unit.deliveries.redrive_held(
            endpoint, now=ledger.redrive_at, keep=ledger.rows.keys()
        )
    for transition in transitions:
        log_transition(transition, ledger.redriven if transition.to_state == "closed" else 0)
    return recorded


def _next(
    record: DeliveryRecord,
    outcome: DeliveryOutcome,
    *,
    retry: RetryPolicy,
    now: datetime,
    random: UnitRandom,
) -> tuple[str, DeliveryRecord, EventData | None]:
    """The step after one answer, the row it leaves and the event it announces, if any."""
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
    match step:
        case RetryAt(at=at):
            return "retry", replace(base, status="pending", next_attempt_at=at), None
        case Hold(cause=cause):
            held = replace(base, status="held", next_attempt_at=now, stop_cause=cause)
            return "held", held, None
        case Park(cause=cause, detail=detail):
            parked = replace(base, status="parked", next_attempt_at=now, stop_cause=cause)
            return "parked", parked, parked_event(parked, f"{cause}: {detail}", now=now)
        case _:
            delivered = replace(
                base,
                status="delivered",
                next_attempt_at=now,
                delivered_at=now,
                acknowledged_at=record.acknowledged_at or now,
                stop_cause=None,
                last_error=None,
            )
            return "delivered", delivered, delivered_event(delivered, now=now)


def _error(outcome: DeliveryOutcome) -> str | None:
    if outcome.status_code is None:
        return outcome.error
    if 200 <= outcome.status_code < 300:
        return None
    return f"HTTP {outcome.status_code}: {outcome.response_excerpt}"[:500]
