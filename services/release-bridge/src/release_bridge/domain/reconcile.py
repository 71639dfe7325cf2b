"""Silent-failure detection: releases the portal has not acknowledged within their SLO."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

DEFAULT_ACK_SLO: Final = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class DueRelease:
    """A decided release and when (if ever) the portal acknowledged it."""

    release_id: str
    operator_id: str
    jurisdiction: str
    decided_at: datetime
    acknowledged_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OverdueRelease:
    release_id: str
    operator_id: str
    jurisdiction: str
    decided_at: datetime
    age: timedelta


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """Overdue releases (oldest first) and gauges for the alert rules."""

    overdue: tuple[OverdueRelease, ...]
    unacknowledged: int
    oldest_unacknowledged_age: timedelta | None

    @property
    def oldest_unacknowledged_age_seconds(self) -> float:
        """0.0 when everything is acknowledged, so the gauge always has a value."""
        age = self.oldest_unacknowledged_age
        return age.total_seconds() if age is not None else 0.0


def reconcile(
    releases: Iterable[DueRelease], *, now: datetime, slo: timedelta = DEFAULT_ACK_SLO
) -> ReconcileReport:
    """Unacknowledged releases older than `slo` are overdue; an acknowledged one never is."""
    if slo <= timedelta(0):
        raise ValueError("acknowledgement SLO must be positive")
    pending = sorted(
        (release for release in releases if release.acknowledged_at is None),
        key=lambda release: (release.decided_at, release.release_id),
    )
    overdue = tuple(
        OverdueRelease(
            release_id=release.release_id,
            operator_id=release.operator_id,
            jurisdiction=release.jurisdiction,
            decided_at=release.decided_at,
            age=now - release.decided_at,
        )
        for release in pending
        if now - release.decided_at > slo
    )
    oldest = max(now - pending[0].decided_at, timedelta(0)) if pending else None
    return ReconcileReport(
        overdue=overdue, unacknowledged=len(pending), oldest_unacknowledged_age=oldest
    )
