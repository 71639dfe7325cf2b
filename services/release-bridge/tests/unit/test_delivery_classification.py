import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from release_bridge_testkit import T0, a_network_failure, a_response

from release_bridge.domain.classify import (
    Delivered,
    Hold,
    Park,
    RetryAt,
    RetryPolicy,
    UnitRandom,
    Verdict,
    classify,
    parse_retry_after,
)

POLICY = RetryPolicy(base=timedelta(seconds=5), cap=timedelta(hours=1), window=timedelta(hours=72))


def _always(value: float) -> UnitRandom:
    """A random source pinned to `value`, so schedules are exact."""
    return lambda: value


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (202, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (401, Verdict.SIGNATURE_REJECTED),
        (403, Verdict.SIGNATURE_REJECTED),
        (410, Verdict.ENDPOINT_GONE),
        (408, Verdict.RETRYABLE),
        (425, Verdict.RETRYABLE),
        (429, Verdict.RETRYABLE),
        (500, Verdict.RETRYABLE),
        (502, Verdict.RETRYABLE),
        (503, Verdict.RETRYABLE),
        (400, Verdict.PERMANENT),
        (404, Verdict.PERMANENT),
        (422, Verdict.PERMANENT),
        (301, Verdict.PERMANENT),
    ],
)
def test_portal_status_is_classified_by_the_webhook_contract(status: int, verdict: Verdict) -> None:
    assert classify(a_response(status)) is verdict


@pytest.mark.parametrize("kind", ["timeout", "connect", "transport"])
def test_network_failures_are_retryable(kind: str) -> None:
    assert classify(a_network_failure(kind)) is Verdict.RETRYABLE  # type: ignore[arg-type]


def test_invalid_portal_url_is_permanent() -> None:
    assert classify(a_network_failure("invalid_url")) is Verdict.PERMANENT


def test_retry_after_in_seconds_is_parsed() -> None:
    assert parse_retry_after(" 120 ", now=T0) == timedelta(seconds=120)


def test_retry_after_as_http_date_is_relative_to_now() -> None:
    assert parse_retry_after("Tue, 24 Nov 2026 10:02:30 GMT", now=T0) == timedelta(seconds=150)


def test_retry_after_in_the_past_means_now() -> None:
    assert parse_retry_after("Tue, 24 Nov 2026 09:00:00 GMT", now=T0) == timedelta(0)


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "Tue, 99 Foo 2026"])
def test_unusable_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value, now=T0) is None


def test_absurd_retry_after_is_capped() -> None:
    assert parse_retry_after("9" * 40, now=T0) == timedelta(days=365)


def test_delivered_response_completes_the_delivery() -> None:
    step = POLICY.next_step(a_response(204), attempt=1, started_at=T0, now=T0, random=_always(0.5))
    assert step == Delivered()


@pytest.mark.parametrize(
    ("status", "cause"),
    [
        (410, "endpoint_gone"),
        (400, "permanent_rejection"),
    ],
)
def test_non_retryable_responses_park_without_retry(status: int, cause: str) -> None:
    step = POLICY.next_step(
        a_response(status, excerpt="nope"),
        attempt=1,
        started_at=T0,
        now=T0,
        random=_always(0.5),
    )
    assert isinstance(step, Park)
    assert step.cause == cause
    assert f"HTTP {status}: nope" == step.detail


@pytest.mark.parametrize("status", [401, 403])
def test_signature_rejection_holds_the_delivery_instead_of_retrying_or_parking(
    status: int,
) -> None:
    step = POLICY.next_step(
        a_response(status, excerpt="bad signature"),
        attempt=1,
        started_at=T0,
        now=T0,
        random=_always(0.5),
    )
    assert step == Hold("signature_rejected", f"HTTP {status}: bad signature")


def test_signature_rejection_holds_even_after_the_retry_window() -> None:
    step = POLICY.next_step(
        a_response(401), attempt=50, started_at=T0, now=T0 + timedelta(days=5), random=_always(0)
    )
    assert isinstance(step, Hold)


def test_server_error_is_retried_with_jittered_backoff() -> None:
    step = POLICY.next_step(a_response(503), attempt=3, started_at=T0, now=T0, random=_always(0.5))
    assert step == RetryAt(at=T0 + timedelta(seconds=10), attempt=4)


def test_retry_after_longer_than_backoff_is_honoured() -> None:
    step = POLICY.next_step(
        a_response(429, retry_after=timedelta(minutes=2)),
        attempt=1,
        started_at=T0,
        now=T0,
        random=_always(0.9),
    )
    assert step == RetryAt(at=T0 + timedelta(minutes=2), attempt=2)


def test_delivery_parks_once_the_retry_window_is_spent() -> None:
    now = T0 + timedelta(hours=72)
    step = POLICY.next_step(
        a_network_failure("timeout"),
        attempt=40,
        started_at=T0,
        now=now,
        random=_always(0.1),
    )
    assert isinstance(step, Park)
    assert step.cause == "retry_window_exhausted"


def test_last_retry_is_clamped_to_the_end_of_the_window() -> None:
    now = T0 + timedelta(hours=72) - timedelta(minutes=1)
    step = POLICY.next_step(
        a_response(500), attempt=30, started_at=T0, now=now, random=_always(0.99)
    )
    assert step == RetryAt(at=T0 + timedelta(hours=72), attempt=31)


def test_retry_after_beyond_the_window_parks() -> None:
    now = T0 + timedelta(hours=71)
    step = POLICY.next_step(
        a_response(503, retry_after=timedelta(hours=2)),
        attempt=30,
        started_at=T0,
        now=now,
        random=_always(0.1),
    )
    assert isinstance(step, Park)


def test_breaker_deferral_keeps_the_attempt_number_within_the_window() -> None:
    assert POLICY.defer(next_attempt=3, started_at=T0, until=T0 + timedelta(minutes=5)) == RetryAt(
        at=T0 + timedelta(minutes=5), attempt=3
    )
    assert isinstance(
        POLICY.defer(next_attempt=3, started_at=T0, until=T0 + timedelta(days=4)), Park
    )


def test_random_source_outside_unit_interval_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        POLICY.backoff(1, lambda: 1.0)


@given(attempt=st.integers(min_value=1, max_value=10_000), fraction=st.floats(0.0, 0.999999))
def test_full_jitter_delay_stays_within_zero_and_capped_ceiling(
    attempt: int, fraction: float
) -> None:
    delay = POLICY.backoff(attempt, lambda: fraction)

    assert timedelta(0) <= delay <= POLICY.ceiling(attempt) <= POLICY.cap


@given(attempt=st.integers(min_value=1, max_value=200))
def test_backoff_ceiling_never_shrinks_as_attempts_grow(attempt: int) -> None:
    assert POLICY.ceiling(attempt) <= POLICY.ceiling(attempt + 1)


@given(
    attempt=st.integers(min_value=1, max_value=100),
    elapsed=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=80)),
    seed=st.integers(),
    retry_after=st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=5)),
)
def test_scheduled_retry_never_precedes_retry_after_or_passes_the_window(
    attempt: int, elapsed: timedelta, seed: int, retry_after: timedelta | None
) -> None:
    now = T0 + elapsed
    step = POLICY.schedule(
        attempt=attempt,
        started_at=T0,
        now=now,
        random=random.Random(seed).random,
        retry_after=retry_after,
    )
    if isinstance(step, RetryAt):
        assert now <= step.at <= POLICY.deadline(T0)
        assert retry_after is None or step.at >= now + retry_after
        assert step.attempt == attempt + 1
    else:
        assert step.cause == "retry_window_exhausted"
