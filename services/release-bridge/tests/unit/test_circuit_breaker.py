from datetime import timedelta

import pytest
from release_bridge_testkit import FakeClock, a_network_failure, a_response

from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.domain.breaker_state import (
    BreakerConfig,
    BreakerRecord,
    BreakerUpdate,
    TransitionCause,
)
from release_bridge.domain.classify import DeliveryOutcome

CONFIG = BreakerConfig(
    window=timedelta(seconds=60),
    bucket=timedelta(seconds=10),
    minimum_calls=4,
    failure_rate_threshold=0.5,
    slow_call_threshold=timedelta(seconds=2),
    signature_rejection_threshold=3,
    cool_down=timedelta(seconds=30),
    signature_cool_down=timedelta(minutes=5),
    half_open_probes=1,
    half_open_successes=2,
    probe_lease=timedelta(seconds=20),
)
ENDPOINT = "https://portal.example/webhooks"


def _breaker() -> tuple[CircuitBreaker, FakeClock]:
    clock = FakeClock()
    return CircuitBreaker(CONFIG, clock), clock


def _calls(
    breaker: CircuitBreaker, state: BreakerRecord, *outcomes: DeliveryOutcome
) -> BreakerUpdate:
    """Acquire and record each outcome in turn, collecting every transition."""
    transitions = []
    for outcome in outcomes:
        admission, acquired = breaker.acquire(state)
        assert admission.allowed
        update = breaker.record(acquired.state, outcome, probe=admission.probe)
        transitions += [*acquired.transitions, *update.transitions]
        state = update.state
    return BreakerUpdate(state, tuple(transitions))


def _opened(breaker: CircuitBreaker) -> BreakerRecord:
    return _calls(breaker, BreakerRecord(ENDPOINT), *[a_response(503)] * 4).state


def test_breaker_opens_after_three_consecutive_signature_rejections() -> None:
    breaker, clock = _breaker()

    update = _calls(breaker, BreakerRecord(ENDPOINT), *[a_response(401)] * 3)

    assert update.state.status == "open"
    assert [t.cause for t in update.transitions] == [TransitionCause.SIGNATURE_REJECTIONS]
    assert update.state.open_until == clock.now + CONFIG.signature_cool_down


def test_two_signature_rejections_leave_the_breaker_closed() -> None:
    breaker, _ = _breaker()

    update = _calls(breaker, BreakerRecord(ENDPOINT), a_response(403), a_response(401))

    assert update.state.status == "closed"
    assert update.state.signature_rejections == 2


def test_accepted_request_between_signature_rejections_restarts_the_count() -> None:
    breaker, _ = _breaker()
    responses = [a_response(401), a_response(401), a_response(204), a_response(401)]

    update = _calls(breaker, BreakerRecord(ENDPOINT), *responses)

    assert update.state.status == "closed"
    assert update.state.signature_rejections == 1


def test_network_failure_does_not_interrupt_consecutive_signature_rejections() -> None:
    breaker, _ = _breaker()
    outcomes = [a_response(401), a_network_failure("connect"), a_response(401), a_response(401)]

    update = _calls(breaker, BreakerRecord(ENDPOINT), *outcomes)

    assert update.state.status == "open"


def test_breaker_opens_when_failure_rate_reaches_threshold_after_minimum_calls() -> None:
    breaker, _ = _breaker()
    outcomes = [a_response(204), a_response(500), a_network_failure("timeout"), a_response(502)]

    update = _calls(breaker, BreakerRecord(ENDPOINT), *outcomes)

    assert update.state.status == "open"
    assert [t.cause for t in update.transitions] == [TransitionCause.FAILURE_RATE]


def test_breaker_stays_closed_below_the_minimum_number_of_calls() -> None:
    breaker, _ = _breaker()

    update = _calls(breaker, BreakerRecord(ENDPOINT), *[a_response(503)] * 3)

    assert update.state.status == "closed"


def test_slow_successful_calls_count_as_failures() -> None:
    breaker, _ = _breaker()
    slow = a_response(200, latency=timedelta(seconds=3))

    update = _calls(breaker, BreakerRecord(ENDPOINT), a_response(200), slow, slow, a_response(200))

    assert update.state.status == "open"


def test_permanent_rejections_do_not_count_as_endpoint_failures() -> None:
    breaker, _ = _breaker()

    update = _calls(breaker, BreakerRecord(ENDPOINT), *[a_response(400)] * 6)

    assert update.state.status == "closed"
    assert update.state.window_counts() == (6, 0)


def test_failures_older_than_the_window_slide_out() -> None:
    breaker, clock = _breaker()
    state = _calls(breaker, BreakerRecord(ENDPOINT), *[a_response(503)] * 3).state
    clock.advance(timedelta(seconds=61))

    update = _calls(breaker, state, a_response(503), a_response(204), a_response(204))

    assert update.state.status == "closed"
    assert update.state.window_counts() == (3, 1)


def test_window_state_stays_bounded_by_its_bucket_count() -> None:
    breaker, clock = _breaker()
    state = BreakerRecord(ENDPOINT)
    for _ in range(100):
        state = _calls(breaker, state, a_response(204)).state
        clock.advance(timedelta(seconds=3))

    assert len(state.buckets) <= CONFIG.bucket_count


def test_open_breaker_refuses_calls_until_the_cool_down_ends() -> None:
    breaker, clock = _breaker()
    state = _opened(breaker)
    clock.advance(timedelta(seconds=29))

    admission, update = breaker.acquire(state)

    assert not admission.allowed
    assert admission.retry_at == state.open_until
    assert update.transitions == ()


def test_after_cool_down_the_breaker_half_opens_and_lets_one_probe_through() -> None:
    breaker, clock = _breaker()
    state = _opened(breaker)
    clock.advance(CONFIG.cool_down)

    first, after_first = breaker.acquire(state)
    second, _ = breaker.acquire(after_first.state)

    assert first.allowed
    assert first.probe
    assert [(t.from_state, t.to_state) for t in after_first.transitions] == [("open", "half_open")]
    assert not second.allowed
    assert second.retry_at == clock.now + CONFIG.probe_lease


def test_half_open_closes_after_the_required_successful_probes() -> None:
    breaker, clock = _breaker()
    state = _opened(breaker)
    clock.advance(CONFIG.cool_down)

    one = _calls(breaker, state, a_response(204))
    two = _calls(breaker, one.state, a_response(204))

    assert one.state.status == "half_open"
    assert two.state.status == "closed"
    assert [t.cause for t in two.transitions] == [TransitionCause.PROBES_SUCCEEDED]
    assert two.state.window_counts() == (0, 0)


def test_failed_probe_reopens_the_breaker() -> None:
    breaker, clock = _breaker()
    state = _opened(breaker)
    clock.advance(CONFIG.cool_down)

    update = _calls(breaker, state, a_response(204), a_response(500))

    assert update.state.status == "open"
    assert update.transitions[-1].cause is TransitionCause.PROBE_FAILED
    assert update.state.open_until == clock.now + CONFIG.cool_down


def _probed(
    breaker: CircuitBreaker, clock: FakeClock, state: BreakerRecord, *outcomes: DeliveryOutcome
) -> BreakerUpdate:
    """Wait out the cool-down, then send `outcomes` as half-open probes."""
    assert state.open_until is not None
    clock.now = state.open_until
    return _calls(breaker, state, *outcomes)


def test_single_signature_rejected_probe_reopens_with_the_ordinary_cool_down() -> None:
    breaker, clock = _breaker()

    update = _probed(breaker, clock, _opened(breaker), a_response(401))

    assert update.state.status == "open"
    assert update.transitions[-1].cause is TransitionCause.PROBE_FAILED
    assert update.state.open_until == clock.now + CONFIG.cool_down
    assert update.state.signature_rejections == 1


def test_probe_rejection_completing_three_consecutive_rejections_imposes_signature_cool_down() -> (
    None
):
    breaker, clock = _breaker()
    before = [a_response(401), a_response(401), *[a_network_failure("timeout")] * 2]
    opened = _calls(breaker, BreakerRecord(ENDPOINT), *before)

    update = _probed(breaker, clock, opened.state, a_response(403))

    assert [t.cause for t in opened.transitions] == [TransitionCause.FAILURE_RATE]
    assert opened.state.signature_rejections == 2
    assert update.transitions[-1].cause is TransitionCause.PROBE_FAILED
    assert update.state.open_until == clock.now + CONFIG.signature_cool_down


def test_third_rejected_probe_in_a_row_imposes_the_signature_cool_down() -> None:
    breaker, clock = _breaker()
    state = _opened(breaker)
    cool_downs = []
    for _ in range(3):
        state = _probed(breaker, clock, state, a_response(401)).state
        assert state.open_until is not None
        cool_downs.append(state.open_until - clock.now)

    assert cool_downs == [CONFIG.cool_down, CONFIG.cool_down, CONFIG.signature_cool_down]


def test_successful_probe_restarts_the_run_of_signature_rejections() -> None:
    breaker, clock = _breaker()
    opened = _calls(breaker, BreakerRecord(ENDPOINT), *[a_response(401)] * 3).state

    update = _probed(breaker, clock, opened, a_response(204), a_response(401))

    assert update.state.status == "open"
    assert update.state.signature_rejections == 1
    assert update.state.open_until == clock.now + CONFIG.cool_down


def test_probe_rejected_again_after_signature_rejections_keeps_the_signature_cool_down() -> None:
    breaker, clock = _breaker()
    opened = _calls(breaker, BreakerRecord(ENDPOINT), *[a_response(401)] * 3).state

    update = _probed(breaker, clock, opened, a_response(401))

    assert update.transitions[-1].cause is TransitionCause.PROBE_FAILED
    assert update.state.open_until == clock.now + CONFIG.signature_cool_down


@pytest.mark.parametrize(
    "failure",
    [a_network_failure("timeout"), a_response(503), a_response(429)],
    ids=["timeout", "503", "429"],
)
def test_transient_probe_failure_reopens_with_the_ordinary_cool_down_after_signature_rejections(
    failure: DeliveryOutcome,
) -> None:
    breaker, clock = _breaker()
    opened = _calls(breaker, BreakerRecord(ENDPOINT), *[a_response(401)] * 3).state

    update = _probed(breaker, clock, opened, failure)

    assert update.transitions[-1].cause is TransitionCause.PROBE_FAILED
    assert update.state.open_until == clock.now + CONFIG.cool_down


def test_probe_lease_of_a_crashed_replica_expires_and_frees_the_slot() -> None:
    breaker, clock = _breaker()
    state = _opened(breaker)
    clock.advance(CONFIG.cool_down)
    _, leased = breaker.acquire(state)
    clock.advance(CONFIG.probe_lease + timedelta(seconds=1))

    admission, _ = breaker.acquire(leased.state)

    assert admission.allowed
    assert admission.probe


def test_unused_probe_slot_is_given_back_for_the_next_caller() -> None:
    breaker, clock = _breaker()
    state = _opened(breaker)
    clock.advance(CONFIG.cool_down)
    _, leased = breaker.acquire(state)

    released = breaker.release_probe(leased.state)
    admission, _ = breaker.acquire(released.state)

    assert released.state.probe_leases == ()
    assert released.transitions == ()
    assert admission.allowed
    assert admission.probe


def test_releasing_a_probe_outside_half_open_changes_nothing() -> None:
    breaker, _ = _breaker()
    state = _opened(breaker)

    assert breaker.release_probe(state) == BreakerUpdate(state)


def test_late_result_of_a_call_started_before_opening_is_ignored() -> None:
    breaker, _ = _breaker()
    state = _opened(breaker)

    update = breaker.record(state, a_response(204), probe=False)

    assert update == BreakerUpdate(state)


def test_force_open_holds_the_breaker_open_past_the_cool_down() -> None:
    breaker, clock = _breaker()

    forced = breaker.force_open(BreakerRecord(ENDPOINT), actor="sre-1", reason="portal incident")
    clock.advance(timedelta(hours=1))
    admission, _ = breaker.acquire(forced.state)

    assert not admission.allowed
    (transition,) = forced.transitions
    assert (transition.from_state, transition.to_state) == ("closed", "open")
    assert (transition.cause, transition.actor, transition.reason) == (
        TransitionCause.FORCE_OPEN,
        "sre-1",
        "portal incident",
    )


def test_force_closed_keeps_calls_flowing_despite_failures() -> None:
    breaker, _ = _breaker()
    forced = breaker.force_closed(_opened(breaker), actor="sre-1", reason="portal fixed")

    update = _calls(breaker, forced.state, *[a_response(401)] * 5, *[a_response(503)] * 5)

    assert update.state.status == "closed"
    assert update.transitions == ()
    assert forced.transitions[0].to_state == "closed"


def test_reset_returns_to_an_automatic_closed_breaker_with_empty_counters() -> None:
    breaker, _ = _breaker()
    pinned = breaker.force_open(BreakerRecord(ENDPOINT), actor="sre-1", reason="test").state

    reset = breaker.reset(pinned, actor="sre-2", reason="incident over")
    reopened = _calls(breaker, reset.state, *[a_response(401)] * 3)

    assert reset.state.status == "closed"
    assert not reset.state.pinned
    assert reset.transitions[0].cause is TransitionCause.RESET
    assert reopened.state.status == "open"


@pytest.mark.parametrize(("actor", "reason"), [("", "why"), ("sre-1", " ")])
def test_manual_actions_need_an_actor_and_a_reason(actor: str, reason: str) -> None:
    breaker, _ = _breaker()

    with pytest.raises(ValueError, match="actor and a reason"):
        breaker.force_open(BreakerRecord(ENDPOINT), actor=actor, reason=reason)


def test_transition_becomes_a_breaker_transitioned_event() -> None:
    breaker, _ = _breaker()
    (transition,) = breaker.force_open(BreakerRecord(ENDPOINT), actor="a", reason="r").transitions

    event = transition.to_event()

    assert event.model_dump(mode="json") == {
        "endpoint": ENDPOINT,
        "from_state": "closed",
        "to_state": "open",
        "cause": "manual_force_open",
        "actor": "a",
        "reason": "r",
        "at": "2026-11-24T10:00:00Z",
    }


def test_failure_rate_gauge_reflects_the_current_window() -> None:
    breaker, clock = _breaker()
    state = _calls(breaker, BreakerRecord(ENDPOINT), a_response(204), a_response(500)).state

    assert breaker.failure_rate(state) == 0.5
    clock.advance(timedelta(minutes=5))
    assert breaker.failure_rate(state) == 0.0


@pytest.mark.parametrize(
    "changes",
    [
        {"bucket": timedelta(seconds=7)},
        {"bucket": timedelta(milliseconds=500)},
        {"failure_rate_threshold": 0.0},
        {"half_open_probes": 0},
        {"cool_down": timedelta(0)},
    ],
)
def test_inconsistent_breaker_config_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"breaker|must"):
        BreakerConfig(**changes)  # type: ignore[arg-type]
