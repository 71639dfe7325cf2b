from datetime import timedelta

import pytest
from release_bridge_testkit import T0

from release_bridge.domain.reconcile import DueRelease, reconcile


def _release(
    release_id: str, age: timedelta, *, acked_after: timedelta | None = None
) -> DueRelease:
    decided_at = T0 - age
    return DueRelease(
        release_id=release_id,
        operator_id="op-1",
        jurisdiction="MGA",
        decided_at=decided_at,
        acknowledged_at=decided_at + acked_after if acked_after is not None else None,
    )


def test_unacknowledged_release_older_than_the_slo_is_overdue() -> None:
    report = reconcile([_release("r-1", timedelta(minutes=6))], now=T0)

    assert [o.release_id for o in report.overdue] == ["r-1"]
    assert report.overdue[0].age == timedelta(minutes=6)


def test_unacknowledged_release_within_the_slo_is_not_yet_overdue() -> None:
    report = reconcile([_release("r-1", timedelta(minutes=4))], now=T0)

    assert report.overdue == ()
    assert report.unacknowledged == 1
    assert report.oldest_unacknowledged_age == timedelta(minutes=4)


def test_acknowledged_release_is_never_overdue_even_if_acknowledged_late() -> None:
    report = reconcile(
        [_release("r-1", timedelta(hours=2), acked_after=timedelta(hours=1))], now=T0
    )

    assert report.overdue == ()
    assert report.oldest_unacknowledged_age is None
    assert report.oldest_unacknowledged_age_seconds == 0.0


def test_overdue_releases_are_listed_oldest_first_with_the_oldest_age() -> None:
    releases = [
        _release("r-new", timedelta(minutes=10)),
        _release("r-acked", timedelta(hours=5), acked_after=timedelta(seconds=3)),
        _release("r-old", timedelta(hours=1)),
        _release("r-fresh", timedelta(seconds=30)),
    ]

    report = reconcile(releases, now=T0)

    assert [o.release_id for o in report.overdue] == ["r-old", "r-new"]
    assert report.unacknowledged == 3
    assert report.oldest_unacknowledged_age_seconds == 3600.0


def test_slo_is_configurable() -> None:
    report = reconcile([_release("r-1", timedelta(minutes=2))], now=T0, slo=timedelta(minutes=1))

    assert len(report.overdue) == 1


def test_non_positive_slo_is_refused() -> None:
    with pytest.raises(ValueError, match="SLO"):
        reconcile([], now=T0, slo=timedelta(0))
