"""Prometheus metrics every service exposes, on a per-app registry."""

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

from academy_runtime.build import BuildInfo


class RuntimeMetrics:
    """Outbox, consumer and HTTP metrics shared by all services (bounded labels only)."""

    def __init__(self, registry: CollectorRegistry, build: BuildInfo | None = None) -> None:
        self.registry = registry
        # process_* (CPU, memory, open files, start time) and python_* (version, GC).
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        self.build_info = Gauge(
            "academy_build_info",
            "Always 1: the running build's service, package version and commit",
            ["service", "version", "commit"],
            registry=registry,
        )
        if build is not None:
            self.build_info.labels(build.service, build.version, build.commit).set(1)
        self.outbox_published = Counter(
            "academy_outbox_published_total",
            "Outbox events acknowledged by the broker",
            registry=registry,
        )
        self.outbox_failures = Counter(
            "academy_outbox_publish_failures_total",
            "Outbox events the broker did not acknowledge (retried)",
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "academy_outbox_pending", "Outbox events not yet acknowledged", registry=registry
        )
        self.consumed = Counter(
            "academy_consumer_messages_total",
            "Records handled by idempotent consumers, by outcome: processed, duplicate, "
            "skipped (a type the consumer does not act on), dead_lettered, retry",
            ["handler", "outcome"],
            registry=registry,
        )
        self.dead_lettered = Counter(
            "academy_consumer_dead_lettered_total",
            "Messages sent to a dead-letter topic",
            ["handler"],
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "academy_consumer_lag",
            "Records not yet processed: end offset minus committed offset, summed over partitions",
            ["handler"],
            registry=registry,
        )
        self.handle_seconds = Histogram(
            "academy_consumer_handle_seconds",
            "Time to apply one batch of records, including its transaction",
            ["handler"],
            registry=registry,
        )
        self.batch_records = Histogram(
            "academy_consumer_batch_records",
            "Records applied in one consumer transaction",
            ["handler"],
            buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000),
            registry=registry,
        )
        self.http_requests = Counter(
            "academy_http_requests_total",
            "HTTP requests by route template and status class (crashes count as 5xx)",
            ["route", "method", "status"],
            registry=registry,
        )
        self.http_seconds = Histogram(
            "academy_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method",
            ["route", "method"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=registry,
        )
        self.broker_up = Gauge(
            "academy_broker_up",
            "1 when the Kafka broker answered the last check, else 0 (the API stays up)",
            registry=registry,
        )
        self.auth_failures = Counter(
            "academy_auth_failures_total",
            "Rejected bearer tokens by reason",
            ["reason"],
            registry=registry,
        )
