"""Contract events about deliveries and support actions, built from stored records."""

from datetime import datetime

from contracts.release import ReleaseDelivered, ReleaseParked, SupportActionRecorded
from release_bridge.service.ports import DeliveryRecord, SupportAction


def delivered_event(record: DeliveryRecord, *, now: datetime) -> ReleaseDelivered:
    """The portal acknowledged the webhook (release_id is the webhook id)."""
    return ReleaseDelivered(
        release_id=record.webhook_id,
        operator_id=record.operator_id,
        jurisdiction=record.jurisdiction,
        webhook_type=record.webhook_type,
        status_code=record.last_status_code or 200,
        attempts=max(record.attempts, 1),
        delivered_at=now,
    )


def parked_event(record: DeliveryRecord, error: str, *, now: datetime) -> ReleaseParked:
    return ReleaseParked(
        release_id=record.webhook_id,
        operator_id=record.operator_id,
        jurisdiction=record.jurisdiction,
        webhook_type=record.webhook_type,
        status_code=record.last_status_code,
        error=error[:1000],
        attempts=record.attempts,
        parked_at=now,
    )


def support_event(action: SupportAction) -> SupportActionRecorded:
    return SupportActionRecorded(
        action=action.action,
        actor=action.actor,
        reason=action.reason,
        operator_id=action.operator_id,
        target=action.target,
        details=dict(action.details or {}),
        at=action.at,
    )
