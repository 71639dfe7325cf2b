"""Kafka handlers, one per event type the bridge acts on (contracts.mesh.RELEASE_BRIDGE).

The runtime decodes, dedupes and opens the unit; other assessment and catalogue events are
acknowledged unread, without a transaction. `CertificationIssued`, the hot path, is handled a
run of consecutive events at a time (`service.issuances`); the others one event at a time.
"""

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from academy_runtime.routes import Route, on, on_batch
from contracts import Envelope
from contracts.assessment import (
    CertificationExpired,
    CertificationExpiring,
    CertificationIssued,
    CertificationRevoked,
    OperatorJurisdictionsSet,
)
from contracts.catalogue import ReleasePolicyPublished
from contracts.clock import Clock
from release_bridge.adapters.unit_of_work import SqlUnit
from release_bridge.service import issuances, operators, releases

log = logging.getLogger(__name__)


def _decision_handler(
    decide: Callable[..., Awaitable[None]], endpoint: str, clock: Clock
) -> Callable[..., Awaitable[None]]:
    """A certificate event's handler: `decide(uow, ctx, data, operator_id=, event_time=)`."""

    async def handle(event: Envelope[Any], *, uow: SqlUnit) -> None:
        ctx = releases.DecisionContext(endpoint=endpoint, now=clock())
        await decide(uow, ctx, event.data, operator_id=event.tenantid, event_time=event.time)

    return handle


def assessment_routes(*, endpoint: str, clock: Clock) -> list[Route[SqlUnit]]:
    """Certificates and operator jurisdictions."""

    async def on_jurisdictions_set(
        event: Envelope[OperatorJurisdictionsSet], *, uow: SqlUnit
    ) -> None:
        await operators.jurisdictions_set(uow, event.data)

    def decision(decide: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        return _decision_handler(decide, endpoint, clock)

    async def on_certifications_issued(events: Sequence[Envelope[Any]], *, uow: SqlUnit) -> None:
        ctx = releases.DecisionContext(endpoint=endpoint, now=clock())
        run = [issuances.Issued(event.data, event.tenantid, event.time) for event in events]
        await issuances.certifications_issued(uow, ctx, run)

    return [
        on(OperatorJurisdictionsSet, on_jurisdictions_set),
        on_batch([CertificationIssued], on_certifications_issued),
        on(CertificationExpiring, decision(releases.certification_expiring)),
        on(CertificationExpired, decision(releases.certification_expired)),
        on(CertificationRevoked, decision(releases.certification_revoked)),
    ]


def catalogue_routes(*, endpoint: str, clock: Clock) -> list[Route[SqlUnit]]:
    """Release policies; tracks and jurisdictions are the assessment service's business."""

    async def on_release_policy_published(
        event: Envelope[ReleasePolicyPublished], *, uow: SqlUnit
    ) -> None:
        ctx = releases.DecisionContext(endpoint=endpoint, now=clock())
        decided = await releases.release_policy_published(
            uow, ctx, event.data, event_time=event.time
        )
        log.info(
            "release policy applied",
            extra={"jurisdiction": event.data.policy.jurisdiction, "operators_rechecked": decided},
        )

    return [on(ReleasePolicyPublished, on_release_policy_published)]
