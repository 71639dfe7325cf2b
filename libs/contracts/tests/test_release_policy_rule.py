"""The one release-policy rule: who counts, how many, which certificates are the evidence."""

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.common import ReleasePolicy, RoleRequirement
from contracts.release_policy import evaluate, required_counts

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Cert:
    certificate_id: str
    staff_id: str
    role: str = "compliance_officer"
    jurisdiction: str = "MGA"
    passed_at: datetime = NOW - timedelta(days=30)
    expires_at: datetime = NOW + timedelta(days=500)
    revoked: bool = False

    def counts_at(self, now: datetime) -> bool:
        return not self.revoked and self.passed_at <= now < self.expires_at


def policy(*requirements: tuple[str, int]) -> ReleasePolicy:
    return ReleasePolicy(
        jurisdiction="MGA",
        requirements=[RoleRequirement(role=role, count=count) for role, count in requirements],
        tooling=["mga-suite"],
    )


def test_a_role_listed_twice_needs_the_sum() -> None:
    rule = policy(("compliance_officer", 1), ("mlro", 1), ("compliance_officer", 1))
    assert required_counts(rule) == {"compliance_officer": 2, "mlro": 1}
    one = [Cert("c1", "ada"), Cert("m1", "bob", role="mlro")]
    outcome = evaluate(rule, one, now=NOW)
    assert not outcome.met
    assert [(r.role, r.needed, r.held) for r in outcome.unmet] == [("compliance_officer", 2, 1)]
    two = evaluate(rule, [*one, Cert("c2", "cy")], now=NOW)
    assert two.met


def test_each_staff_member_counts_once_per_role_and_may_count_for_two_roles() -> None:
    rule = policy(("compliance_officer", 2), ("mlro", 1))
    ada_twice = [Cert("c1", "ada"), Cert("c2", "ada", expires_at=NOW + timedelta(days=90))]
    assert not evaluate(rule, [*ada_twice, Cert("m1", "ada", role="mlro")], now=NOW).met
    both = evaluate(rule, [*ada_twice, Cert("c3", "bob"), Cert("m1", "ada", role="mlro")], now=NOW)
    assert both.met
    assert [c.certificate_id for c in both.chosen] == ["c1", "c3", "m1"]


def test_only_valid_certificates_of_the_jurisdiction_count() -> None:
    rule = policy(("compliance_officer", 1))
    useless = [
        Cert("expired", "a", expires_at=NOW),
        Cert("future", "b", passed_at=NOW + timedelta(seconds=1)),
        Cert("revoked", "c", revoked=True),
        Cert("elsewhere", "d", jurisdiction="GCB"),
    ]
    assert not evaluate(rule, useless, now=NOW).met
    assert evaluate(rule, [*useless, Cert("good", "e")], now=NOW).met


def test_the_policy_lapses_when_the_first_needed_certificate_expires() -> None:
    rule = policy(("compliance_officer", 2), ("mlro", 1))
    soon, later = NOW + timedelta(days=10), NOW + timedelta(days=400)
    certs = [
        Cert("c1", "ada", expires_at=later),
        Cert("c2", "bob", expires_at=soon),
        Cert("c3", "cy", expires_at=soon - timedelta(days=1)),  # a spare, not needed
        Cert("m1", "dan", role="mlro", expires_at=later),
    ]
    outcome = evaluate(rule, certs, now=NOW)
    assert outcome.lapses_at == soon
    assert evaluate(rule, certs[:1], now=NOW).lapses_at is None


certs_strategy = st.lists(
    st.builds(
        Cert,
        certificate_id=st.text("abc123", min_size=1, max_size=4),
        staff_id=st.sampled_from(["ada", "bob", "cy", "dan"]),
        role=st.sampled_from(["compliance_officer", "mlro"]),
        jurisdiction=st.sampled_from(["MGA", "GCB"]),
        passed_at=st.integers(-900, 5).map(lambda d: NOW + timedelta(days=d)),
        expires_at=st.integers(-5, 900).map(lambda d: NOW + timedelta(days=d)),
        revoked=st.booleans(),
    ),
    max_size=12,
)


@given(certs_strategy, st.randoms(use_true_random=False))
def test_the_outcome_does_not_depend_on_the_order_certificates_come_in(
    certs: list[Cert], shuffler: random.Random
) -> None:
    rule = policy(("compliance_officer", 2), ("mlro", 1))
    shuffled = certs[:]
    shuffler.shuffle(shuffled)
    first, second = evaluate(rule, certs, now=NOW), evaluate(rule, shuffled, now=NOW)
    assert first.met == second.met
    assert [c.certificate_id for c in first.chosen] == [c.certificate_id for c in second.chosen]
    assert first.lapses_at == second.lapses_at
    if first.met:
        assert first.lapses_at is not None
        assert all(replace(c, revoked=False).counts_at(NOW) for c in first.chosen)
