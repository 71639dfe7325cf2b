"""When packs are due, where an operator's chain starts, and how retries back off (pure)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def due_through(now: datetime, export_at: time) -> date:
    """The last UTC day whose pack is due at `now`.

    Yesterday's pack is due from `export_at` (UTC) today; before that, the day before
    yesterday's is the newest due. Computing this from the clock (not from "when did we last
    run") is what makes a pass after downtime catch up every missed day.
    """
    now = now.astimezone(UTC)
    today = now.date()
    passed = now.time() >= export_at.replace(tzinfo=None)
    return today - timedelta(days=1 if passed else 2)


def days_between(first: date, last: date) -> Iterator[date]:
    """first, first+1, …, last (nothing when last < first)."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def chain_first_day(
    first_record_at: datetime | None, due: date, *, has_target: bool
) -> date | None:
    """The first day of an operator's pack chain, or None while it needs no pack yet.

    The UTC day of its first audit record. An operator with an archive target but no record
    due yet starts with the newest due day (an empty pack), so a new archive gets a pack the
    next night; an operator without a target waits for its first record's day to be due.
    """
    first = None if first_record_at is None else utc_day(first_record_at)
    if first is not None and first <= due:
        return first
    return due if has_target else None


def retry_delay(attempts: int, *, base_s: float, cap_s: float) -> timedelta:
    """Exponential backoff after `attempts` failed tries: base, 2·base, 4·base, … up to cap."""
    exponent = max(0, min(attempts - 1, 30))
    return timedelta(seconds=min(base_s * (2**exponent), cap_s))
