"""The bridge's Prometheus metrics; every label has a small fixed set of values.

Labelled counters are created at zero for every known label value, so `increase()` sees the
first signature rejection (a series that appears at 1 would look like no increase at all).
"""

import time
from collections.abc import Sequence
from datetime import timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from contracts.release import BreakerState
from release_bridge.domain.breaker_state import BreakerRecord, Transition
from release_bridge.domain.classify import Verdict
from release_bridge.service.reconciler import Snapshot

WEBHOOK_TYPES = (
    "tooling.released.v1",
    "tooling.revoked.v1",
    "certification.expiring.v1",
    "certification.expired.v1",
)
STEPS = ("delivered", "retry", "held", "parked", "superseded")
BREAKER_STATES: tuple[BreakerState, ...] = ("closed", "open", "half_open")
SUPPORT_ACTIONS = (
    "force_release",
    "redeliver",
    "replay",
    "breaker_force_open",
    "breaker_force_closed",
    "breaker_reset",
)
#: From a certification to the portal's 2xx: seconds when healthy, hours when retrying.
LATENCY_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600, 72 * 3600)


class BridgeMetrics:
    def __init__(self, registry: CollectorRegistry, *, endpoint: str, ack_slo: timedelta) -> None:
        self.endpoint = endpoint
        self.deliveries = Counter(
            "release_bridge_deliveries_total",
            "Delivery attempts by webhook type and what followed (delivered, retry, held, parked)",
            ["webhook_type", "outcome"],
            registry=registry,
        )
        self.attempts = Counter(
            "release_bridge_delivery_attempts_total",
            "HTTP attempts to the portal by classified response",
            ["endpoint", "verdict"],
            registry=registry,
        )
        self.attempt_seconds = Histogram(
            "release_bridge_delivery_attempt_seconds",
            "Duration of one HTTP attempt to the portal",
            ["endpoint"],
            registry=registry,
        )
        self.release_latency = Histogram(
            "release_bridge_release_latency_seconds",
            "From the certification event to the portal's first 2xx for that release",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.signature_rejections = Counter(
            "release_bridge_signature_rejections_total",
            "Portal responses 401/403: our signature was rejected",
            ["endpoint"],
            registry=registry,
        )
        self.breaker_state = Gauge(
            "release_bridge_breaker_state",
            "1 for the breaker's current state per endpoint, 0 for the others",
            ["endpoint", "state"],
            registry=registry,
        )
        self.breaker_transitions = Counter(
            "release_bridge_breaker_transitions_total",
            "Breaker state changes made by this replica",
            ["endpoint", "from_state", "to_state"],
            registry=registry,
        )
        self.by_status = Gauge(
            "release_bridge_deliveries_outstanding",
            "Deliveries not yet delivered, by status (pending, held, parked)",
            ["endpoint", "status"],
            registry=registry,
        )
        self.parked = Gauge(
            "release_bridge_deliveries_parked",
            "Deliveries parked for a human (permanent 4xx, endpoint gone, window spent)",
            ["endpoint"],
            registry=registry,
        )
        self.unacknowledged = Gauge(
            "release_bridge_unacknowledged_releases",
            "Releases decided but not acknowledged by the portal",
            ["endpoint"],
            registry=registry,
        )
        self.overdue = Gauge(
            "release_bridge_overdue_releases",
            "Releases unacknowledged for longer than the acknowledgement SLO",
            ["endpoint"],
            registry=registry,
        )
        self.oldest_age = Gauge(
            "release_bridge_oldest_unacknowledged_release_age_seconds",
            "Age of the oldest release the portal has not acknowledged (0 when none)",
            ["endpoint"],
            registry=registry,
        )
        self.ack_slo = Gauge(
            "release_bridge_release_ack_slo_seconds",
            "The acknowledgement SLO the reconciler applies",
            registry=registry,
        )
        self.reconciled_at = Gauge(
            "release_bridge_reconcile_last_success_timestamp_seconds",
            "Unix time of the last successful reconcile pass",
            registry=registry,
        )
        self.support_actions = Counter(
            "release_bridge_support_actions_total",
            "Manual support actions taken through this replica",
            ["action"],
            registry=registry,
        )
        self._initialise(ack_slo)

    def _initialise(self, ack_slo: timedelta) -> None:
        endpoint = self.endpoint
        for webhook_type in WEBHOOK_TYPES:
            for step in STEPS:
                self.deliveries.labels(webhook_type, step)
        for verdict in Verdict:
            self.attempts.labels(endpoint, verdict.value)
        self.signature_rejections.labels(endpoint)
        for action in SUPPORT_ACTIONS:
            self.support_actions.labels(action)
        for source in BREAKER_STATES:
            for target in BREAKER_STATES:
                self.breaker_transitions.labels(endpoint, source, target)
        self.show_breaker(BreakerRecord(endpoint))
        self.ack_slo.set(ack_slo.total_seconds())
        for gauge in (self.parked, self.unacknowledged, self.overdue, self.oldest_age):
            gauge.labels(endpoint).set(0)

    # -- DeliveryObserver ------------------------------------------------------------------
    def attempted(self, endpoint: str, verdict: Verdict, latency: timedelta) -> None:
        self.attempts.labels(endpoint, verdict.value).inc()
        self.attempt_seconds.labels(endpoint).observe(latency.total_seconds())
        if verdict is Verdict.SIGNATURE_REJECTED:
            self.signature_rejections.labels(endpoint).inc()

    def stepped(self, webhook_type: str, step: str) -> None:
        if webhook_type in WEBHOOK_TYPES and step in STEPS:
            self.deliveries.labels(webhook_type, step).inc()

    def acknowledged(self, webhook_type: str, since_trigger: timedelta) -> None:
        if webhook_type == "tooling.released.v1":
            self.release_latency.observe(max(since_trigger.total_seconds(), 0.0))

    def transitioned(self, transitions: Sequence[Transition]) -> None:
        for transition in transitions:
            if transition.endpoint != self.endpoint:
                continue
            self.breaker_transitions.labels(
                transition.endpoint, transition.from_state, transition.to_state
            ).inc()
            self._show_status(transition.endpoint, transition.to_state)

    # -- reconciler --------------------------------------------------------------------------
    def show_breaker(self, state: BreakerRecord) -> None:
        if state.endpoint == self.endpoint:
            self._show_status(state.endpoint, state.status)

    def _show_status(self, endpoint: str, status: BreakerState) -> None:
        for candidate in BREAKER_STATES:
            self.breaker_state.labels(endpoint, candidate).set(1 if candidate == status else 0)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        endpoint = self.endpoint
        for status, count in snapshot.statuses.items():
            self.by_status.labels(endpoint, status).set(count)
        self.parked.labels(endpoint).set(snapshot.statuses.get("parked", 0))
        self.unacknowledged.labels(endpoint).set(snapshot.unacknowledged)
        self.overdue.labels(endpoint).set(len(snapshot.report.overdue))
        self.oldest_age.labels(endpoint).set(snapshot.report.oldest_unacknowledged_age_seconds)
        for state in snapshot.breakers:
            self.show_breaker(state)
        self.reconciled_at.set(time.time())

    def support_action(self, action: str) -> None:
        if action in SUPPORT_ACTIONS:
            self.support_actions.labels(action).inc()
