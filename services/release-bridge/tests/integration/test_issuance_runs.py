"""A run of CertificationIssued handled at once leaves exactly what one-by-one handling leaves.

Two databases get the same setup; then one handles the run through the consumer's route (the
batched path) and the other event by event (`releases.certification_issued` in offset order),
and every row and event the bridge wrote for the test's operators is compared.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from academy_runtime import migrations
from academy_testkit import postgres
from conftest import Bridge, BridgeFactory
from contracts import Envelope, decode
from contracts.assessment import CertificationIssued, TrainingState
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ModuleCompletion, ReleasePolicy, RoleRequirement
from release_bridge.adapters.orm import certificates, deliveries, outbox, release_ledger
from release_bridge.adapters.unit_of_work import Units
from release_bridge.app import MIGRATIONS
from release_bridge.entrypoints.consumers import assessment_routes
from release_bridge.service import releases

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=2)  # the run: certificates that expired at T0 + 1 day have lapsed


@pytest.fixture(scope="module")
def twin_database_url(pg_server: str) -> Iterator[str]:
    """A second database with the bridge's migrations, for the one-by-one reference."""
    name = f"academy_twin_{uuid.uuid4().hex[:10]}"
    url = postgres.create_database(pg_server, name)
    migrations.upgrade(MIGRATIONS, url)
    yield url
    postgres.drop_database(pg_server, name)


@dataclass
class SteppedClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Scenario:
    """Names unique to one test (the main database is shared), and events built from them."""

    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6].upper())

    def operator(self, name: str) -> str:
        return f"op-{name}-{self.tag.lower()}"

    def jurisdiction(self, name: str) -> str:
        return f"{name}{self.tag}"

    def policy(self, name: str, roles: Sequence[str], *, revoke: bool = False) -> Any:
        jurisdiction = self.jurisdiction(name)
        return ReleasePolicyPublished(
            policy=ReleasePolicy(
                jurisdiction=jurisdiction,
                requirements=[RoleRequirement(role=role) for role in roles],
                tooling=[f"{jurisdiction.lower()}-suite"],
                revoke_on_lapse=revoke,
            ),
            version="v1",
            catalogue_version="c1",
            published_at=T0,
        )

    def issued(
        self,
        operator: str,
        jurisdiction: str,
        certificate: str,
        *,
        role: str = "compliance_officer",
        lifetime: timedelta = timedelta(days=548),
        trained: bool = False,
    ) -> Envelope[CertificationIssued]:
        passed = T0 - timedelta(hours=1)
        code = self.jurisdiction(jurisdiction)
        training = None
        if trained:
            done = [ModuleCompletion(module_id="aml", completed_at=passed - timedelta(days=1))]
            training = TrainingState(
                staff_name="Staff",
                staff_email="staff@op.example",
                jurisdiction=code,
                regulator="Regulator",
                role=role,
                track_key=f"{code}.{role}",
                track_title="Track",
                track_version="v1",
                modules_required=["aml"],
                modules_completed=done,
                attempts=1,
                best_score=90,
                pass_mark=80,
                result="pass",
            )
        data = CertificationIssued(
            certificate_id=f"cert-{certificate}-{self.tag.lower()}",
            staff_id=f"staff-{certificate}",
            staff_name="Staff",
            role=role,
            jurisdiction=code,
            track_version="v1",
            attempt_id=f"attempt-{certificate}",
            passed_at=passed,
            expires_at=passed + lifetime,
            verification_code="ABCD",
            training=training,
        )
        return Envelope(data=data, tenantid=self.operator(operator), source="/academy/assessment")


@dataclass
class Story:
    """What both databases see before the run, and the run itself."""

    policies: list[ReleasePolicyPublished]
    before: list[Envelope[CertificationIssued]]
    run: list[Envelope[CertificationIssued]]


def mixed_run(s: Scenario) -> Story:
    """Releases, a wait for a policy, a lapse that revokes, a replay, and one operator and
    one (operator, jurisdiction) twice in the run."""
    replayed = s.issued("g", "A", "g1")
    return Story(
        policies=[
            s.policy("A", ["compliance_officer"], revoke=True),
            s.policy("B", ["compliance_officer", "mlro"]),
        ],
        before=[
            s.issued("f", "A", "f1", lifetime=timedelta(days=1, hours=1)),
            replayed,
        ],
        run=[
            s.issued("a", "A", "a1"),
            s.issued("b", "A", "b1", role="mlro"),
            s.issued("c", "B", "c1"),
            s.issued("d", "C", "d1"),  # no policy for C: waits
            s.issued("c", "B", "c2", role="mlro"),  # sees c1: released now
            s.issued("e", "B", "e1"),
            s.issued("f", "A", "f2", role="mlro"),  # f1 lapsed: revoked
            Envelope(data=replayed.data, tenantid=replayed.tenantid, source=replayed.source),
            s.issued("a", "B", "a2"),
            s.issued("a", "B", "a3", role="mlro"),
            s.issued("h", "A", "h1", trained=True),
            *(s.issued(f"n{n}", "A", f"n{n}") for n in range(6)),
        ],
    )


def run_moving_a_certificate(s: Scenario) -> Story:
    """A certificate stored for one operator is issued again for another: the old owner's
    decision depends on offset order."""
    moved = s.issued("p", "A", "x1")
    return Story(
        policies=[s.policy("A", ["compliance_officer"], revoke=True)],
        before=[moved, s.issued("q", "A", "q1", role="mlro")],
        run=[
            s.issued("r", "A", "r1"),
            Envelope(data=moved.data, tenantid=s.operator("q"), source=moved.source),
            s.issued("p", "A", "p2", role="mlro"),
            s.issued("s", "A", "s1"),
        ],
    )


async def _prepare(bridge: Bridge, clock: SteppedClock, story: Story) -> None:
    units = Units(bridge.runtime)
    clock.now = T0
    ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=T0)
    async with units() as unit:
        for policy in story.policies:
            await releases.release_policy_published(unit, ctx, policy, event_time=T0)
        for envelope in story.before:
            await releases.certification_issued(
                unit, ctx, envelope.data, operator_id=envelope.tenantid, event_time=envelope.time
            )
    clock.now = T1


async def _one_by_one(bridge: Bridge, run: Sequence[Envelope[CertificationIssued]]) -> None:
    ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=T1)
    async with Units(bridge.runtime)() as unit:
        for envelope in run:
            await releases.certification_issued(
                unit, ctx, envelope.data, operator_id=envelope.tenantid, event_time=envelope.time
            )


async def _as_consumed(
    bridge: Bridge, clock: SteppedClock, run: Sequence[Envelope[CertificationIssued]]
) -> None:
    routes = assessment_routes(endpoint=bridge.endpoint, clock=clock)
    [route] = [r for r in routes if CertificationIssued in r.models]
    async with Units(bridge.runtime)() as unit:
        await route.apply(list(run), unit)


async def _written(bridge: Bridge, s: Scenario) -> dict[str, Any]:
    """Everything the bridge wrote for the scenario's operators, minus server-side times."""
    mine = f"%-{s.tag.lower()}"
    async with bridge.runtime.sessions() as session:

        async def rows(table: Any, *order: Any) -> list[dict[str, Any]]:
            result = await session.execute(
                select(table).where(table.c.operator_id.like(mine)).order_by(*order)
            )
            return [
                {k: v for k, v in row._asdict().items() if k not in {"updated_at", "seq"}}
                for row in result
            ]

        ledgers = await rows(release_ledger, release_ledger.c.operator_id, "jurisdiction")
        held = await rows(certificates, certificates.c.certificate_id)
        queued = await rows(deliveries, deliveries.c.webhook_id)
        in_order = await session.execute(
            select(deliveries.c.operator_id, deliveries.c.jurisdiction, deliveries.c.webhook_id)
            .where(deliveries.c.operator_id.like(mine))
            .order_by(deliveries.c.seq)
        )
        staged = await session.execute(
            select(outbox.c.headers, outbox.c.payload)
            .where(outbox.c.headers["ce_tenantid"].astext.like(mine))
            .order_by(outbox.c.id)
        )
    delivery_order: dict[tuple[str, str], list[str]] = defaultdict(list)
    for operator, jurisdiction, webhook_id in in_order:
        delivery_order[(operator, jurisdiction)].append(webhook_id)
    events: dict[str, list[tuple[str, str | None, Any]]] = defaultdict(list)
    for headers, payload in staged:
        event = decode(headers, payload)
        events[event.tenantid].append((event.type, event.subject, event.data.model_dump()))
    return {
        "ledgers": ledgers,
        "certificates": held,
        "deliveries": queued,
        "delivery order per ledger": dict(delivery_order),
        "events per operator": dict(events),
    }


@pytest.mark.parametrize("story", [mixed_run, run_moving_a_certificate])
async def test_a_run_handled_at_once_writes_what_handling_it_event_by_event_writes(
    make_bridge: BridgeFactory, twin_database_url: str, story: Callable[[Scenario], Story]
) -> None:
    scenario = Scenario()
    told = story(scenario)
    batched_clock, reference_clock = SteppedClock(), SteppedClock()
    batched = make_bridge(clock=batched_clock)
    reference = make_bridge(clock=reference_clock, database_url=twin_database_url)
    await _prepare(batched, batched_clock, told)
    await _prepare(reference, reference_clock, told)

    await _as_consumed(batched, batched_clock, told.run)
    await _one_by_one(reference, told.run)

    expected = await _written(reference, scenario)
    assert await _written(batched, scenario) == expected
    if story is mixed_run:  # the scenario does what it says
        released = {
            (row["operator_id"], row["jurisdiction"])
            for row in expected["ledgers"]
            if row["released"]
        }
        op, jur = scenario.operator, scenario.jurisdiction
        assert released == {
            (op("a"), jur("A")),
            (op("a"), jur("B")),
            (op("c"), jur("B")),
            (op("g"), jur("A")),
            (op("h"), jur("A")),
            *((op(f"n{n}"), jur("A")) for n in range(6)),
        }
        [revoked] = expected["events per operator"][op("f")][1:]
        assert revoked[0] == "academy.release.revocation_decided.v1"
        assert op("d") not in {row["operator_id"] for row in expected["ledgers"]}
