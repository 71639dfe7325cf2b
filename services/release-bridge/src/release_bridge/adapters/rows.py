"""Rows of the decision tables as domain values, and the jurisdiction lock's key."""

import zlib
from typing import Any

from contracts.common import TrainingRecord
from release_bridge.domain.decisions import ReleaseLedger
from release_bridge.domain.policy import HeldCertificate


def policy_lock_key(jurisdiction: str) -> int:
    """The advisory lock serialising a jurisdiction's policy changes against its decisions."""
    return zlib.crc32(f"release_bridge.policy:{jurisdiction}".encode())


def ledger_from_row(row: Any) -> ReleaseLedger:
    return ReleaseLedger(
        operator_id=row.operator_id,
        jurisdiction=row.jurisdiction,
        epoch=row.epoch,
        released=row.released,
        release_id=row.release_id,
        policy_met=row.policy_met,
        tooling=tuple(row.tooling),
    )


def held_from_row(row: Any) -> HeldCertificate:
    """An expiry event ends a certificate even if the stored expiry date says otherwise."""
    expires_at = row.expires_at if row.expired_at is None else min(row.expires_at, row.expired_at)
    return HeldCertificate(
        certificate_id=row.certificate_id,
        staff_id=row.staff_id,
        role=row.role,
        jurisdiction=row.jurisdiction,
        track_version=row.track_version,
        passed_at=row.passed_at,
        expires_at=expires_at,
        revoked=row.revoked_at is not None,
        training=TrainingRecord.model_validate(row.training) if row.training is not None else None,
    )
