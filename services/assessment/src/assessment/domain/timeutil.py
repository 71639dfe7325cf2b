"""Calendar arithmetic and timestamp rules shared by the assessment domain."""

import calendar
from datetime import UTC, datetime

from contracts.base import format_time


def require_utc(value: datetime, *, name: str = "timestamp") -> datetime:
    """Reject naive datetimes and normalise aware ones to UTC: clocks are injected, not guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def add_months(value: datetime, months: int) -> datetime:
    """Shift by calendar months, clamping to the last day of a shorter target month.

    31 Aug + 18 months is 28 (or 29) Feb; the time of day and time zone are kept.
    """
    month_index = value.year * 12 + (value.month - 1) + months
    year, month_zero = divmod(month_index, 12)
    month = month_zero + 1
    if not 1 <= year <= 9999:
        raise ValueError(f"adding {months} months to {value.isoformat()} leaves the calendar")
    last_day = calendar.monthrange(year, month)[1]
    return value.replace(year=year, month=month, day=min(value.day, last_day))


def show(value: datetime) -> str:
    """Format a timestamp for a user-facing message exactly as it appears on the wire."""
    return format_time(value)


def percent_half_up(numerator: int, denominator: int) -> int:
    """Integer percentage rounded half up (2/3 -> 67, 1/8 -> 13), in exact integer arithmetic."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if not 0 <= numerator <= denominator:
        raise ValueError("numerator must be between 0 and the denominator")
    return (200 * numerator + denominator) // (2 * denominator)


def percent_floor(numerator: int, denominator: int) -> int:
    """Integer percentage rounded down, so 100 means complete and nothing less."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    return (100 * numerator) // denominator
