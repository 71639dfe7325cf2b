"""Circuit breaker state, configuration and transitions as plain, serialisable values."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from contracts.release import BreakerState, BreakerTransitioned

_STATUSES: tuple[BreakerState, ...] = ("closed", "open", "half_open")


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """Thresholds of one endpoint's breaker; `window` must be a whole number of `bucket`s."""

    window: timedelta = timedelta(seconds=60)
    bucket: timedelta = timedelta(seconds=5)
    minimum_calls: int = 10
    failure_rate_threshold: float = 0.5
    slow_call_threshold: timedelta = timedelta(seconds=5)
    signature_rejection_threshold: int = 3
    cool_down: timedelta = timedelta(seconds=30)
    signature_cool_down: timedelta = timedelta(minutes=5)
    half_open_probes: int = 1
    half_open_successes: int = 2
    probe_lease: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        bucket_seconds = self.bucket.total_seconds()
        if bucket_seconds < 1 or bucket_seconds != int(bucket_seconds):
            raise ValueError("breaker bucket must be a whole number of seconds, at least 1")
        if self.window < self.bucket or self.window.total_seconds() % bucket_seconds:
            raise ValueError("breaker window must be a whole multiple of the bucket")
        if not 0.0 < self.failure_rate_threshold <= 1.0:
            raise ValueError("failure_rate_threshold must be in (0, 1]")
        counts = (
            self.minimum_calls,
            self.signature_rejection_threshold,
            self.half_open_probes,
            self.half_open_successes,
        )
        if min(counts) < 1:
            raise ValueError("breaker call counts must be at least 1")
        if min(self.cool_down, self.signature_cool_down, self.probe_lease) <= timedelta(0):
            raise ValueError("breaker durations must be positive")

    @property
    def bucket_seconds(self) -> int:
        return int(self.bucket.total_seconds())

    @property
    def bucket_count(self) -> int:
        return int(self.window.total_seconds()) // self.bucket_seconds


@dataclass(frozen=True, slots=True)
class Bucket:
    """Calls and failures that started in `[start, start + bucket)`, in unix seconds."""

    start: int
    calls: int
    failures: int


@dataclass(frozen=True, slots=True)
class BreakerRecord:
    """Everything the breaker remembers about one endpoint; small enough for one row.

    `pinned` is set by `force_open`/`force_closed`: the status then only changes by hand.
    `probe_leases` holds the expiry of each half-open probe let through, so a crashed
    replica's probe frees its slot after `probe_lease`.
    """

    endpoint: str
    status: BreakerState = "closed"
    changed_at: datetime | None = None
    open_until: datetime | None = None
    pinned: bool = False
    buckets: tuple[Bucket, ...] = ()
    signature_rejections: int = 0
    probe_leases: tuple[datetime, ...] = ()
    probe_successes: int = 0

    def window_counts(self) -> tuple[int, int]:
        """(calls, failures) in the retained buckets."""
        return (
            sum(bucket.calls for bucket in self.buckets),
            sum(bucket.failures for bucket in self.buckets),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for a JSONB column); `from_json` reverses it exactly."""
        return {
            "endpoint": self.endpoint,
            "status": self.status,
            "changed_at": _iso(self.changed_at),
            "open_until": _iso(self.open_until),
            "pinned": self.pinned,
            "buckets": [[b.start, b.calls, b.failures] for b in self.buckets],
            "signature_rejections": self.signature_rejections,
            "probe_leases": [lease.isoformat() for lease in self.probe_leases],
            "probe_successes": self.probe_successes,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "BreakerRecord":
        status = data["status"]
        if status not in _STATUSES:
            raise ValueError(f"unknown breaker status {status!r}")
        return cls(
            endpoint=str(data["endpoint"]),
            status=cast(BreakerState, status),
            changed_at=_parse(data.get("changed_at")),
            open_until=_parse(data.get("open_until")),
            pinned=bool(data.get("pinned", False)),
            buckets=tuple(
                Bucket(int(start), int(calls), int(failures))
                for start, calls, failures in data.get("buckets", ())
            ),
            signature_rejections=int(data.get("signature_rejections", 0)),
            probe_leases=tuple(datetime.fromisoformat(x) for x in data.get("probe_leases", ())),
            probe_successes=int(data.get("probe_successes", 0)),
        )


class TransitionCause(StrEnum):
    FAILURE_RATE = "failure_rate"
    SIGNATURE_REJECTIONS = "signature_rejections"
    COOL_DOWN_ELAPSED = "cool_down_elapsed"
    PROBE_FAILED = "probe_failed"
    PROBES_SUCCEEDED = "probes_succeeded"
    FORCE_OPEN = "manual_force_open"
    FORCE_CLOSED = "manual_force_closed"
    RESET = "manual_reset"


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of breaker status, for an event, a log line and a metric."""

    endpoint: str
    from_state: BreakerState
    to_state: BreakerState
    cause: TransitionCause
    at: datetime
    actor: str | None = None
    reason: str | None = None

    def to_event(self) -> BreakerTransitioned:
        return BreakerTransitioned(
            endpoint=self.endpoint,
            from_state=self.from_state,
            to_state=self.to_state,
            cause=self.cause.value,
            actor=self.actor,
            reason=self.reason,
            at=self.at,
        )


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a call may go out now; a refused caller should come back at `retry_at`."""

    allowed: bool
    probe: bool = False
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BreakerUpdate:
    """The state to persist and the transitions to announce."""

    state: BreakerRecord
    transitions: tuple[Transition, ...] = ()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value is not None else None
