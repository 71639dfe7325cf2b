"""Prometheus metrics of the audit export (on the service's registry, bounded labels).

The gauges are recomputed from the database after every scheduler pass, so every replica
reports the same values and a restarted one reports them again at once; alert on their max.
"""

from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

DELAY_BUCKETS = (0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600)


class AuditMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.appended_total = Counter(
            "audit_export_log_appended_total", "Events appended to the audit log", registry=registry
        )
        self.ingest_rejected = Counter(
            "audit_export_ingest_rejected_total",
            "Events dead-lettered instead of logged, by reason (tenant, event)",
            ["reason"],
            registry=registry,
        )
        self.ingest_delay = Histogram(
            "audit_export_ingest_delay_seconds",
            "Time from an event's ce_time to its append to the audit log",
            buckets=DELAY_BUCKETS,
            registry=registry,
        )
        self.deliveries = Counter(
            "audit_export_deliveries_total",
            "Pack delivery tries by outcome (succeeded, failed)",
            ["outcome"],
            registry=registry,
        )
        self.failures = Counter(
            "audit_export_failures_total",
            "Failed pack delivery tries by reason (unreachable, host_key, auth, permission, …)",
            ["reason"],
            registry=registry,
        )
        self.build_seconds = Histogram(
            "audit_export_pack_build_seconds",
            "Time to build one pack",
            buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900),
            registry=registry,
        )
        self.upload_seconds = Histogram(
            "audit_export_upload_seconds",
            "Time to upload, verify and rename one pack",
            buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900),
            registry=registry,
        )
        self.failing_runs = Gauge(
            "audit_export_failing_runs",
            "Operator-day exports whose last delivery failed (being retried)",
            registry=registry,
        )
        self.open_days = Gauge(
            "audit_export_open_days",
            "Built operator-day packs not yet delivered, per operator",
            ["operator_id"],
            registry=registry,
        )
        self.last_success = Gauge(
            "audit_export_last_success_timestamp_seconds",
            "Last successful pack delivery per operator with a target (chain start until then)",
            ["operator_id"],
            registry=registry,
        )
        self.without_target = Gauge(
            "audit_export_operators_without_target",
            "Operators in the audit log that have no SFTP target configured",
            registry=registry,
        )
        self.last_pass = Gauge(
            "audit_export_scheduler_last_pass_timestamp_seconds",
            "When a scheduler pass last completed on this replica",
            registry=registry,
        )

    # -- ingest (IngestObserver) ------------------------------------------------------------
    def appended(self, *, delay_s: float) -> None:
        self.appended_total.inc()
        self.ingest_delay.observe(delay_s)

    def rejected(self, reason: str) -> None:
        self.ingest_rejected.labels(reason).inc()

    # -- exports (ExportObserver) -----------------------------------------------------------
    def built(self, *, seconds: float) -> None:
        self.build_seconds.observe(seconds)

    def delivered(self, *, seconds: float) -> None:
        self.deliveries.labels("succeeded").inc()
        self.upload_seconds.observe(seconds)

    def delivery_failed(self, reason: str) -> None:
        self.deliveries.labels("failed").inc()
        self.failures.labels(reason).inc()

    def failed(self, reason: str) -> None:
        self.failures.labels(reason).inc()

    def refresh(
        self,
        snapshot: dict[str, Any],
        *,
        with_target: set[str],
        without_target: int,
        passed_at: datetime,
    ) -> None:
        self.failing_runs.set(snapshot["failing"])
        self.without_target.set(without_target)
        for operator_id in with_target:
            moment = snapshot["last_success"].get(operator_id) or snapshot["registered"].get(
                operator_id
            )
            if moment is not None:
                self.last_success.labels(operator_id).set(moment.timestamp())
        self.open_days.clear()
        for operator_id, count in snapshot["open_days"].items():
            self.open_days.labels(operator_id).set(count)
        self.last_pass.set(passed_at.timestamp())
