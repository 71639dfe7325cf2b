"""Time periods and the one timestamp text form used in audit packs (UTC RFC 3339, `Z`)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from contracts.base import format_time

_RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$")


def utc_text(value: datetime) -> str:
    """A timezone-aware timestamp as UTC RFC 3339 with `Z` (the contracts' format)."""
    if value.tzinfo is None:
        raise ValueError("timestamp has no timezone")
    return format_time(value)


def parse_utc(text: str) -> datetime:
    """Parse a UTC RFC 3339 timestamp with `Z`; anything else is refused."""
    if not _RFC3339_Z.match(text):
        raise ValueError(f"not a UTC RFC 3339 timestamp with Z: {text!r}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open UTC interval [start, end): a pack covers records recorded in it."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("period bounds must be timezone-aware")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.start >= self.end:
            raise ValueError("period start must be before its end")

    @classmethod
    def day(cls, day: date) -> "Period":
        """The UTC day `day`, midnight to midnight."""
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return cls(start, start + timedelta(days=1))

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def to_json(self) -> dict[str, str]:
        return {"start": utc_text(self.start), "end": utc_text(self.end)}

    @classmethod
    def from_json(cls, value: dict[str, str]) -> "Period":
        return cls(parse_utc(value["start"]), parse_utc(value["end"]))


def pack_filename(operator_id: str, day: date) -> str:
    """The contract's delivery file name for one operator and one UTC day."""
    return f"auditpack-{operator_id}-{day.isoformat()}.zip"
