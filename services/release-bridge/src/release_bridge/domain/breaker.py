"""Per-endpoint circuit breaker as a pure state machine over `BreakerRecord`."""

import math
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from contracts.clock import Clock
from contracts.release import BreakerState
from release_bridge.domain.breaker_state import (
    Admission,
    BreakerConfig,
    BreakerRecord,
    BreakerUpdate,
    Bucket,
    Transition,
    TransitionCause,
)
from release_bridge.domain.classify import DeliveryOutcome, Verdict, classify


class CallResult(StrEnum):
    """How one call counts for the breaker."""

    SUCCESS = "success"
    FAILURE = "failure"
    SIGNATURE_REJECTED = "signature_rejected"


def call_result(outcome: DeliveryOutcome, config: BreakerConfig) -> CallResult:
    """5xx, 408/425/429, network errors and slow calls fail; 401/403 are signature rejections."""
    verdict = classify(outcome)
    if verdict is Verdict.SIGNATURE_REJECTED:
        return CallResult.SIGNATURE_REJECTED
    if outcome.status_code is None or verdict is Verdict.RETRYABLE:
        return CallResult.FAILURE
    if outcome.latency > config.slow_call_threshold:
        return CallResult.FAILURE
    return CallResult.SUCCESS


class CircuitBreaker:
    """Decides admissions and transitions; holds no state of its own (the caller persists it).

    Callers load the endpoint's `BreakerRecord` under a row lock, call one method, store
    `update.state` and emit `update.transitions`, all in one transaction.
    """

    def __init__(self, config: BreakerConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock

    def acquire(self, state: BreakerRecord) -> tuple[Admission, BreakerUpdate]:
        """Ask to send one call; in half-open this takes a probe slot, so persist the state."""
        now = self.clock()
        transitions: list[Transition] = []
        if state.status == "open":
            if state.pinned or state.open_until is None:
                return Admission(False, retry_at=now + self.config.cool_down), BreakerUpdate(state)
            if now < state.open_until:
                return Admission(False, retry_at=state.open_until), BreakerUpdate(state)
            state, move = _move(state, "half_open", TransitionCause.COOL_DOWN_ELAPSED, now)
            transitions.append(move)
        if state.status == "half_open":
            leases = tuple(lease for lease in state.probe_leases if lease > now)
            if len(leases) >= self.config.half_open_probes:
                refused = replace(state, probe_leases=leases)
                return Admission(False, retry_at=min(leases)), BreakerUpdate(
                    refused, tuple(transitions)
                )
            leased = replace(state, probe_leases=(*leases, now + self.config.probe_lease))
            return Admission(True, probe=True), BreakerUpdate(leased, tuple(transitions))
        return Admission(True), BreakerUpdate(state, tuple(transitions))

    def record(
        self, state: BreakerRecord, outcome: DeliveryOutcome, *, probe: bool
    ) -> BreakerUpdate:
        """Account for a finished call; `probe` is what `acquire` said when it was let through."""
        now = self.clock()
        result = call_result(outcome, self.config)
        if state.status == "closed":
            return self._record_closed(state, outcome, result, now)
        if state.status == "half_open" and probe:
            return self._record_probe(state, outcome, result, now)
        return BreakerUpdate(state)

    def release_probe(self, state: BreakerRecord) -> BreakerUpdate:
        """Give back a half-open probe slot that `acquire` granted but no call used."""
        if state.status != "half_open" or not state.probe_leases:
            return BreakerUpdate(state)
        now = self.clock()
        leases = tuple(sorted(lease for lease in state.probe_leases if lease > now))
        return BreakerUpdate(replace(state, probe_leases=leases[1:]))

    def force_open(self, state: BreakerRecord, *, actor: str, reason: str) -> BreakerUpdate:
        """Hold the breaker open until `force_closed` or `reset`."""
        return self._manual(state, "open", TransitionCause.FORCE_OPEN, actor, reason, pinned=True)

    def force_closed(self, state: BreakerRecord, *, actor: str, reason: str) -> BreakerUpdate:
        """Hold the breaker closed: failures are still counted but never open it."""
        return self._manual(
            state, "closed", TransitionCause.FORCE_CLOSED, actor, reason, pinned=True
        )

    def reset(self, state: BreakerRecord, *, actor: str, reason: str) -> BreakerUpdate:
        """Back to an automatic, closed breaker with empty counters."""
        return self._manual(state, "closed", TransitionCause.RESET, actor, reason, pinned=False)

    def failure_rate(self, state: BreakerRecord) -> float:
        """Failures over calls in the current window (0.0 without calls), for a gauge."""
        kept = replace(state, buckets=_prune(state.buckets, self.clock(), self.config))
        calls, failures = kept.window_counts()
        return failures / calls if calls else 0.0

    def _record_closed(
        self, state: BreakerRecord, outcome: DeliveryOutcome, result: CallResult, now: datetime
    ) -> BreakerUpdate:
        buckets = _count(
            _prune(state.buckets, now, self.config),
            now,
            self.config,
            failed=result is CallResult.FAILURE,
        )
        rejections = _consecutive_rejections(state.signature_rejections, outcome, result)
        counted = replace(state, buckets=buckets, signature_rejections=rejections)
        if state.pinned:
            return BreakerUpdate(counted)
        if rejections >= self.config.signature_rejection_threshold:
            return self._open(counted, TransitionCause.SIGNATURE_REJECTIONS, now, signature=True)
        calls = sum(bucket.calls for bucket in buckets)
        failures = sum(bucket.failures for bucket in buckets)
        if calls >= self.config.minimum_calls and (
            failures >= calls * self.config.failure_rate_threshold
        ):
            return self._open(counted, TransitionCause.FAILURE_RATE, now, signature=False)
        return BreakerUpdate(counted)

    def _record_probe(
        self, state: BreakerRecord, outcome: DeliveryOutcome, result: CallResult, now: datetime
    ) -> BreakerUpdate:
        """A failed probe re-opens with its cause's cool-down: a 401/403 extends the run of
        consecutive rejections, and only a run at the threshold earns `signature_cool_down`.
        """
        leases = tuple(sorted(lease for lease in state.probe_leases if lease > now))[1:]
        rejections = _consecutive_rejections(state.signature_rejections, outcome, result)
        state = replace(state, probe_leases=leases, signature_rejections=rejections)
        if result is CallResult.SUCCESS:
            successes = state.probe_successes + 1
            if successes >= self.config.half_open_successes:
                closed, move = _move(state, "closed", TransitionCause.PROBES_SUCCEEDED, now)
                return BreakerUpdate(closed, (move,))
            return BreakerUpdate(replace(state, probe_successes=successes))
        signature = (
            result is CallResult.SIGNATURE_REJECTED
            and rejections >= self.config.signature_rejection_threshold
        )
        return self._open(state, TransitionCause.PROBE_FAILED, now, signature=signature)

    def _open(
        self, state: BreakerRecord, cause: TransitionCause, now: datetime, *, signature: bool
    ) -> BreakerUpdate:
        cool_down = self.config.signature_cool_down if signature else self.config.cool_down
        opened, move = _move(state, "open", cause, now)
        return BreakerUpdate(replace(opened, open_until=now + cool_down), (move,))

    def _manual(
        self,
        state: BreakerRecord,
        to: BreakerState,
        cause: TransitionCause,
        actor: str,
        reason: str,
        *,
        pinned: bool,
    ) -> BreakerUpdate:
        if not actor.strip() or not reason.strip():
            raise ValueError("manual breaker actions need an actor and a reason")
        now = self.clock()
        moved, move = _move(state, to, cause, now, actor=actor, reason=reason)
        return BreakerUpdate(replace(moved, pinned=pinned), (move,))


def _move(
    state: BreakerRecord,
    to: BreakerState,
    cause: TransitionCause,
    now: datetime,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> tuple[BreakerRecord, Transition]:
    """Enter `to` with fresh per-status counters; the sliding window restarts on every move.

    The run of consecutive 401/403 survives open and half-open, so probes continue it.
    """
    moved = BreakerRecord(
        endpoint=state.endpoint,
        status=to,
        changed_at=now,
        signature_rejections=state.signature_rejections if to != "closed" else 0,
    )
    transition = Transition(
        endpoint=state.endpoint,
        from_state=state.status,
        to_state=to,
        cause=cause,
        at=now,
        actor=actor,
        reason=reason,
    )
    return moved, transition


def _consecutive_rejections(count: int, outcome: DeliveryOutcome, result: CallResult) -> int:
    """401/403 extend the run; any other answer ends it; no answer (network error) leaves it."""
    if result is CallResult.SIGNATURE_REJECTED:
        return count + 1
    if outcome.status_code is not None:
        return 0
    return count


def _bucket_start(now: datetime, config: BreakerConfig) -> int:
    size = config.bucket_seconds
    return math.floor(now.timestamp() / size) * size


def _prune(buckets: tuple[Bucket, ...], now: datetime, config: BreakerConfig) -> tuple[Bucket, ...]:
    """Drop buckets that slid out of the window; keep ones a slightly-ahead replica clock wrote."""
    current = _bucket_start(now, config)
    span = (config.bucket_count - 1) * config.bucket_seconds
    return tuple(bucket for bucket in buckets if current - span <= bucket.start <= current + span)


def _count(
    buckets: tuple[Bucket, ...], now: datetime, config: BreakerConfig, *, failed: bool
) -> tuple[Bucket, ...]:
    """Add one call to the bucket `now` falls in, keeping buckets ordered by start."""
    start = _bucket_start(now, config)
    failure = 1 if failed else 0
    others = [bucket for bucket in buckets if bucket.start != start]
    same = [bucket for bucket in buckets if bucket.start == start]
    calls = sum(bucket.calls for bucket in same) + 1
    failures = sum(bucket.failures for bucket in same) + failure
    return tuple(sorted([*others, Bucket(start, calls, failures)], key=lambda b: b.start))
