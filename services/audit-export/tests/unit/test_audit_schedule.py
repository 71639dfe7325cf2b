"""When packs are due, where a chain starts, how retries back off."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from audit_export.domain.chain import ExportRun, RunStatus
from audit_export.domain.schedule import (
    chain_first_day,
    days_between,
    due_through,
    retry_delay,
)

NOON = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)


def test_yesterday_is_due_from_the_export_time_on() -> None:
    at_one = time(1, 0)
    assert due_through(datetime(2031, 3, 10, 0, 59, tzinfo=UTC), at_one) == date(2031, 3, 8)
    assert due_through(datetime(2031, 3, 10, 1, 0, tzinfo=UTC), at_one) == date(2031, 3, 9)
    assert due_through(NOON, time(23, 30)) == date(2031, 3, 8)


def test_due_days_follow_utc_whatever_the_clocks_timezone() -> None:
    tokyo = NOON.astimezone(ZoneInfo("Asia/Tokyo"))
    assert due_through(tokyo, time(1, 0)) == date(2031, 3, 9)


def test_a_chain_starts_on_the_day_of_the_first_record() -> None:
    first_record = datetime(2031, 3, 2, 23, 0, tzinfo=UTC)
    assert chain_first_day(first_record, date(2031, 3, 9), has_target=False) == date(2031, 3, 2)


def test_a_new_archive_without_records_starts_with_the_newest_due_day() -> None:
    due = date(2031, 3, 9)
    assert chain_first_day(None, due, has_target=True) == due
    assert chain_first_day(None, due, has_target=False) is None
    today = datetime(2031, 3, 10, 8, tzinfo=UTC)
    assert chain_first_day(today, due, has_target=False) is None  # not due yet


def test_catch_up_covers_every_day_between() -> None:
    days = list(days_between(date(2031, 2, 27), date(2031, 3, 2)))
    assert days == [date(2031, 2, 27), date(2031, 2, 28), date(2031, 3, 1), date(2031, 3, 2)]
    assert list(days_between(date(2031, 3, 2), date(2031, 3, 1))) == []


def test_retry_delay_doubles_up_to_the_cap() -> None:
    delays = [retry_delay(n, base_s=60, cap_s=600).total_seconds() for n in range(1, 7)]
    assert delays == [60, 120, 240, 480, 600, 600]
    assert retry_delay(10_000, base_s=60, cap_s=3600) == timedelta(hours=1)


def test_a_failed_run_is_due_at_its_retry_time_and_only_with_a_target() -> None:
    run = ExportRun(
        operator_id="op-1",
        day=date(2031, 3, 9),
        status=RunStatus.FAILED,
        attempts=3,
        last_error="refused",
        failure_reason="unreachable",
        next_attempt_at=NOON,
        remote_path=None,
        delivered_at=None,
    )
    assert not run.due(NOON - timedelta(seconds=1), has_target=True)
    assert run.due(NOON, has_target=True)
    assert not run.due(NOON, has_target=False)
