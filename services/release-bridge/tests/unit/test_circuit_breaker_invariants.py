import json
from datetime import timedelta

from hypothesis import event, given, settings, target
from hypothesis import strategies as st
from release_bridge_testkit import FakeClock, a_network_failure, a_response

from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.domain.breaker_state import (
    BreakerConfig,
    BreakerRecord,
    BreakerUpdate,
    Transition,
)
from release_bridge.domain.classify import DeliveryOutcome

CONFIG = BreakerConfig(
    window=timedelta(seconds=30),
    bucket=timedelta(seconds=5),
    minimum_calls=3,
    signature_rejection_threshold=3,
    cool_down=timedelta(seconds=10),
    signature_cool_down=timedelta(seconds=40),
    half_open_probes=2,
    half_open_successes=2,
    probe_lease=timedelta(seconds=15),
)

outcomes = st.one_of(
    st.sampled_from([200, 204, 400, 401, 403, 410, 429, 500, 503]).flatmap(
        lambda status: st.integers(0, 4000).map(
            lambda ms: a_response(status, latency=timedelta(milliseconds=ms))
        )
    ),
    st.sampled_from([a_network_failure(kind) for kind in ("timeout", "connect", "transport")]),
)
failures = st.sampled_from([401, 500, 503]).map(a_response)
operations = st.one_of(
    st.tuples(st.just("call"), outcomes),
    st.tuples(st.just("call"), failures),
    st.tuples(st.just("acquire_and_crash"), st.integers(1, 4)),
    st.tuples(st.just("advance"), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.integers(5, 12)),
    st.tuples(st.sampled_from(["force_open", "force_closed", "reset"]), st.none()),
)


def _apply(
    breaker: CircuitBreaker, clock: FakeClock, state: BreakerRecord, op: str, arg: object
) -> BreakerUpdate:
    if op == "advance":
        assert isinstance(arg, int)
        clock.advance(timedelta(seconds=arg))
        return BreakerUpdate(state)
    if op in {"force_open", "force_closed", "reset"}:
        return getattr(breaker, op)(state, actor="sre", reason="hypothesis")  # type: ignore[no-any-return]
    if op == "acquire_and_crash":
        assert isinstance(arg, int)
        transitions: tuple[Transition, ...] = ()
        for _ in range(arg):
            _, acquired = breaker.acquire(state)
            state, transitions = acquired.state, transitions + acquired.transitions
        return BreakerUpdate(state, transitions)
    admission, acquired = breaker.acquire(state)
    if not admission.allowed:
        return acquired
    assert isinstance(arg, DeliveryOutcome)
    recorded = breaker.record(acquired.state, arg, probe=admission.probe)
    return BreakerUpdate(recorded.state, acquired.transitions + recorded.transitions)


def _assert_invariants(state: BreakerRecord) -> None:
    assert len(state.buckets) <= CONFIG.bucket_count
    assert [b.start for b in state.buckets] == sorted({b.start for b in state.buckets})
    assert len(state.probe_leases) <= CONFIG.half_open_probes
    assert state.probe_successes < CONFIG.half_open_successes
    if state.status == "open":
        assert state.pinned or state.open_until is not None
    if state.status == "open" and not state.pinned:
        assert state.open_until is not None
        assert state.changed_at is not None
        waited = state.open_until - state.changed_at
        signature_run = state.signature_rejections >= CONFIG.signature_rejection_threshold
        assert waited == CONFIG.cool_down or (
            waited == CONFIG.signature_cool_down and signature_run
        )
    if state.status == "half_open":
        assert not state.pinned
        assert state.buckets == ()
    else:
        assert state.probe_leases == ()
    if state.status == "closed" and not state.pinned:
        assert state.signature_rejections < CONFIG.signature_rejection_threshold


@settings(max_examples=300)
@given(st.lists(operations, max_size=60))
def test_breaker_invariants_hold_and_transitions_chain_for_any_call_sequence(
    ops: list[tuple[str, object]],
) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(CONFIG, clock)
    state = BreakerRecord("https://portal.example/webhooks")
    for op, arg in ops:
        update = _apply(breaker, clock, state, op, arg)
        previous = state.status
        for transition in update.transitions:
            assert transition.from_state == previous
            assert transition.at == clock.now
            previous = transition.to_state
        assert previous == update.state.status
        state = update.state
        event(f"reached {state.status}")
        _assert_invariants(state)
    target(float(len(state.probe_leases)), label="outstanding probes")


@settings(max_examples=200)
@given(st.lists(operations, max_size=40))
def test_breaker_state_survives_a_json_round_trip(ops: list[tuple[str, object]]) -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(CONFIG, clock)
    state = BreakerRecord("https://portal.example/webhooks")
    for op, arg in ops:
        state = _apply(breaker, clock, state, op, arg).state
        stored = json.loads(json.dumps(state.to_json()))
        assert BreakerRecord.from_json(stored) == state
