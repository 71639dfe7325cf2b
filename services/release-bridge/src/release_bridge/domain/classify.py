"""What a portal response means for a delivery: done, retry with jittered backoff, hold or park."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Final, Literal

#: A float in [0, 1): `random.Random(seed).random` in tests, `secrets.SystemRandom().random` live.
UnitRandom = Callable[[], float]

TransportErrorKind = Literal["timeout", "connect", "transport", "invalid_url"]
ParkCause = Literal["endpoint_gone", "permanent_rejection", "retry_window_exhausted"]
HoldCause = Literal["signature_rejected"]

RETRYABLE_STATUSES: Final = frozenset({408, 425, 429})
SIGNATURE_REJECTED_STATUSES: Final = frozenset({401, 403})
ENDPOINT_GONE_STATUS: Final = 410
#: Retry-After values beyond this are treated as this (a portal cannot push us out for years).
MAX_RETRY_AFTER: Final = timedelta(days=365)
_DELTA_SECONDS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What one POST to the portal produced; `status_code` is None when no response came back."""

    status_code: int | None
    latency: timedelta
    error: str | None = None
    error_kind: TransportErrorKind | None = None
    response_excerpt: str = ""
    retry_after: timedelta | None = None


class Verdict(StrEnum):
    DELIVERED = "delivered"
    SIGNATURE_REJECTED = "signature_rejected"
    ENDPOINT_GONE = "endpoint_gone"
    RETRYABLE = "retryable"
    PERMANENT = "permanent"


def classify(outcome: DeliveryOutcome) -> Verdict:
    """2xx delivered; 401/403 signature; 410 gone; 408/425/429/5xx/network retry; rest permanent."""
    status = outcome.status_code
    if status is None:
        return Verdict.PERMANENT if outcome.error_kind == "invalid_url" else Verdict.RETRYABLE
    if 200 <= status < 300:
        return Verdict.DELIVERED
    if status in SIGNATURE_REJECTED_STATUSES:
        return Verdict.SIGNATURE_REJECTED
    if status == ENDPOINT_GONE_STATUS:
        return Verdict.ENDPOINT_GONE
    if status in RETRYABLE_STATUSES or status >= 500:
        return Verdict.RETRYABLE
    return Verdict.PERMANENT


def parse_retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """`Retry-After` as delay-seconds or an HTTP-date, relative to `now`; None if absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        if len(text) > 12:
            return MAX_RETRY_AFTER
        return min(timedelta(seconds=int(text)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)


@dataclass(frozen=True, slots=True)
class Delivered:
    """The portal acknowledged the webhook."""


@dataclass(frozen=True, slots=True)
class RetryAt:
    """Send again at `at`, which will be attempt number `attempt`."""

    at: datetime
    attempt: int


@dataclass(frozen=True, slots=True)
class Hold:
    """Do not retry on a timer: wait until the endpoint accepts our signature again.

    A rejected signature is not fixed by retrying, but by fixing a secret. Held deliveries are
    re-driven when the breaker closes (reset, forced closed or probes succeeded) or the endpoint
    accepts another signed request; a half-open breaker may use one as its probe.
    """

    cause: HoldCause
    detail: str


@dataclass(frozen=True, slots=True)
class Park:
    """Stop retrying; a human must look (the service emits `ReleaseParked`)."""

    cause: ParkCause
    detail: str


NextStep = Delivered | RetryAt | Hold | Park


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by `cap`, over a retry `window`."""

    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(hours=1)
    window: timedelta = timedelta(hours=72)

    def __post_init__(self) -> None:
        if self.base <= timedelta(0):
            raise ValueError("retry base must be positive")
        if self.cap < self.base:
            raise ValueError("retry cap must be at least the base")
        if self.window <= timedelta(0):
            raise ValueError("retry window must be positive")

    def ceiling(self, attempt: int) -> timedelta:
        """Delay bound after `attempt` failed attempts: min(cap, base * 2^(attempt-1))."""
        if attempt < 1:
            raise ValueError("attempt numbers start at 1")
        exponent = min(attempt - 1, 64)
        seconds = min(self.cap.total_seconds(), self.base.total_seconds() * 2.0**exponent)
        return timedelta(seconds=seconds)

    def backoff(self, attempt: int, random: UnitRandom) -> timedelta:
        """Full jitter: uniformly in [0, ceiling(attempt))."""
        fraction = random()
        if not 0.0 <= fraction < 1.0:
            raise ValueError(f"random source must return a float in [0, 1), got {fraction}")
        return self.ceiling(attempt) * fraction

    def deadline(self, started_at: datetime) -> datetime:
        """After this instant a delivery parks instead of retrying."""
        return started_at + self.window

    def schedule(
        self,
        *,
        attempt: int,
        started_at: datetime,
        now: datetime,
        random: UnitRandom,
        retry_after: timedelta | None = None,
    ) -> RetryAt | Park:
        """When to try again after `attempt` failed attempts, never before `retry_after`."""
        deadline = self.deadline(started_at)
        if now >= deadline:
            return Park("retry_window_exhausted", f"gave up after {attempt} attempts")
        earliest = now + retry_after if retry_after is not None else now
        if earliest > deadline:
            return Park(
                "retry_window_exhausted",
                f"portal asked to retry after {retry_after}, beyond the retry window",
            )
        at = max(min(now + self.backoff(attempt, random), deadline), earliest)
        return RetryAt(at=at, attempt=attempt + 1)

    def defer(self, *, next_attempt: int, started_at: datetime, until: datetime) -> RetryAt | Park:
        """Postpone the not-yet-made attempt `next_attempt` to `until` (e.g. breaker open)."""
        if until > self.deadline(started_at):
            return Park("retry_window_exhausted", "endpoint unavailable until after retry window")
        return RetryAt(at=until, attempt=next_attempt)

    def next_step(
        self,
        outcome: DeliveryOutcome,
        *,
        attempt: int,
        started_at: datetime,
        now: datetime,
        random: UnitRandom,
    ) -> NextStep:
        """Decide what follows attempt number `attempt`, which produced `outcome`."""
        verdict = classify(outcome)
        match verdict:
            case Verdict.DELIVERED:
                return Delivered()
            case Verdict.SIGNATURE_REJECTED:
                return Hold("signature_rejected", _describe(outcome))
            case Verdict.ENDPOINT_GONE:
                return Park("endpoint_gone", _describe(outcome))
            case Verdict.PERMANENT:
                return Park("permanent_rejection", _describe(outcome))
            case Verdict.RETRYABLE:
                return self.schedule(
                    attempt=attempt,
                    started_at=started_at,
                    now=now,
                    random=random,
                    retry_after=outcome.retry_after,
                )


def _describe(outcome: DeliveryOutcome) -> str:
    if outcome.status_code is None:
        return f"{outcome.error_kind or 'error'}: {outcome.error or 'no response'}"
    excerpt = f": {outcome.response_excerpt}" if outcome.response_excerpt else ""
    return f"HTTP {outcome.status_code}{excerpt}"
