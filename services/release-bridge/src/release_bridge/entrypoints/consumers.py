"""Kafka handlers, one per event type the bridge acts on (contracts.mesh.RELEASE_BRIDGE).

The runtime decodes, dedupes and opens the unit; other assessment and catalogue events are
acknowledged unread, without a transaction.
"""

import logging

from academy_runtime.routes import Route, on
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
from release_bridge.service import operators, releases

log = logging.getLogger(__name__)


def assessment_routes(*, endpoint: str, clock: Clock) -> list[Route[SqlUnit]]:
    """Certificates and operator jurisdictions."""

    def ctx() -> releases.DecisionContext:
        return releases.DecisionContext(endpoint=endpoint, now=clock())

    async def on_jurisdictions_set(
        event: Envelope[OperatorJurisdictionsSet], *, uow: SqlUnit
    ) -> None:
        await operators.jurisdictions_set(uow, event.data)

    async def on_certification_issued(
        event: Envelope[CertificationIssued], *, uow: SqlUnit
    ) -> None:
        await releases.certification_issued(
            uow, ctx(), event.data, operator_id=event.tenantid, event_time=event.time
        )

    async def on_certification_expiring(
        event: Envelope[CertificationExpiring], *, uow: SqlUnit
    ) -> None:
        await releases.certification_expiring(
            uow, ctx(), event.data, operator_id=event.tenantid, event_time=event.time
        )

    async def on_certification_expired(
        event: Envelope[CertificationExpired], *, uow: SqlUnit
    ) -> None:
        await releases.certification_expired(
            uow, ctx(), event.data, operator_id=event.tenantid, event_time=event.time
        )

    async def on_certification_revoked(
        event: Envelope[CertificationRevoked], *, uow: SqlUnit
    ) -> None:
        await releases.certification_revoked(
            uow, ctx(), event.data, operator_id=event.tenantid, event_time=event.time
        )

    return [
        on(OperatorJurisdictionsSet, on_jurisdictions_set),
        on(CertificationIssued, on_certification_issued),
        on(CertificationExpiring, on_certification_expiring),
        on(CertificationExpired, on_certification_expired),
        on(CertificationRevoked, on_certification_revoked),
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
