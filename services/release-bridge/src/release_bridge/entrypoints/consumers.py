"""Kafka handlers: decode nothing themselves (the runtime did), dispatch to the service layer."""

import logging
from typing import Any

from academy_runtime.consumer import Handler
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
from release_bridge.adapters.unit_of_work import SqlUnit, Units
from release_bridge.service import operators, releases

log = logging.getLogger(__name__)


def assessment_handler(units: Units, *, endpoint: str, clock: Clock) -> Handler:
    """Certificates and operator jurisdictions; other assessment events are not ours."""

    async def handle(envelope: Envelope[Any], unit: SqlUnit) -> None:
        data = envelope.data
        if isinstance(data, OperatorJurisdictionsSet):
            await operators.jurisdictions_set(unit, data)
            return
        ctx = releases.Context(endpoint=endpoint, now=clock())
        operator_id, at = envelope.tenantid, envelope.time
        match data:
            case CertificationIssued():
                await releases.certification_issued(
                    unit, ctx, data, operator_id=operator_id, event_time=at
                )
            case CertificationExpiring():
                await releases.certification_expiring(
                    unit, ctx, data, operator_id=operator_id, event_time=at
                )
            case CertificationExpired():
                await releases.certification_expired(
                    unit, ctx, data, operator_id=operator_id, event_time=at
                )
            case CertificationRevoked():
                await releases.certification_revoked(
                    unit, ctx, data, operator_id=operator_id, event_time=at
                )
            case _:
                return

    return units.consumer(handle)


def catalogue_handler(units: Units, *, endpoint: str, clock: Clock) -> Handler:
    """Release policies; tracks and jurisdictions are the assessment service's business."""

    async def handle(envelope: Envelope[Any], unit: SqlUnit) -> None:
        data = envelope.data
        if not isinstance(data, ReleasePolicyPublished):
            return
        ctx = releases.Context(endpoint=endpoint, now=clock())
        decided = await releases.release_policy_published(unit, ctx, data, event_time=envelope.time)
        log.info(
            "release policy applied",
            extra={"jurisdiction": data.policy.jurisdiction, "operators_rechecked": decided},
        )

    return units.consumer(handle)
