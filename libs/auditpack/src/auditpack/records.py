"""The audit record line: RFC 8785 (JCS) canonical JSON of one log entry."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import rfc8785

from auditpack.period import parse_utc, utc_text
from contracts.cloudevents import Envelope, to_structured

RECORD_KEYS = frozenset({"index", "recorded_at", "event"})


class RecordError(ValueError):
    """A line that is not a canonical audit record."""


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical bytes; raises RecordError for values JCS cannot represent."""
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise RecordError(f"cannot canonicalise: {exc}") from exc


def _refuse_constant(name: str) -> Any:
    raise RecordError(f"{name} is not JSON")


def load_json(raw: bytes) -> Any:
    """Strict JSON parsing: UTF-8 only, no NaN/Infinity."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"not UTF-8 JSON: {exc}") from exc


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One entry of an operator's audit log: its position, when it was recorded, the event.

    `event` is the CloudEvent in structured JSON with the data inline (`to_structured`).
    """

    index: int
    recorded_at: datetime
    event: Mapping[str, Any]
    #: The canonical line without the trailing newline (the Merkle leaf input).
    line: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        record = {
            "index": self.index,
            "recorded_at": utc_text(self.recorded_at),
            "event": dict(self.event),
        }
        object.__setattr__(self, "line", canonical_json(record))

    @classmethod
    def from_envelope(
        cls, index: int, recorded_at: datetime, envelope: Envelope[Any]
    ) -> "AuditRecord":
        return cls(index=index, recorded_at=recorded_at, event=to_structured(envelope))

    @classmethod
    def from_line(cls, line: bytes) -> "AuditRecord":
        """Parse a stored line, refusing anything that is not exactly canonical."""
        value = load_json(line)
        if not isinstance(value, dict) or set(value) != RECORD_KEYS:
            raise RecordError("a record is an object with exactly index, recorded_at, event")
        index, recorded_at, event = value["index"], value["recorded_at"], value["event"]
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise RecordError("index is not a non-negative integer")
        if not isinstance(recorded_at, str):
            raise RecordError("recorded_at is not a string")
        if not isinstance(event, dict):
            raise RecordError("event is not an object")
        try:
            moment = parse_utc(recorded_at)
        except ValueError as exc:
            raise RecordError(f"recorded_at: {exc}") from exc
        record = cls(index=index, recorded_at=moment, event=event)
        if record.line != line:
            raise RecordError("line is not in RFC 8785 canonical form")
        return record

    @property
    def tenant(self) -> Any:
        return self.event.get("tenantid")

    @property
    def type(self) -> Any:
        return self.event.get("type")


class StoredRecord(NamedTuple):
    """A record read back from the service's append-only audit log, exactly as appended.

    The log checked the event (`event_problems`) and wrote its canonical line when it appended
    it, and the database refuses to change it since. The exporter reads a day's log in blocks
    and gets single stored records only for the few events that feed a CSV; their lines are
    parsed only then. `academy audit verify` still checks every line of the delivered pack.
    """

    index: int  # type: ignore[assignment]  # shadows tuple.index, on purpose
    recorded_at: datetime
    line: bytes
    type: str

    @property
    def event(self) -> Mapping[str, Any]:
        value = load_json(self.line)
        if not isinstance(value, dict) or not isinstance(value.get("event"), dict):
            raise RecordError(f"stored record {self.index} is not an audit record")
        event: Mapping[str, Any] = value["event"]
        return event


def event_problems(event: Mapping[str, Any], operator_id: str) -> list[str]:
    """What makes a structured CloudEvent unfit for this operator's pack (empty when fit).

    One rule set for the builder (which refuses) and the verifier (which reports); the log
    should apply it when it appends, too.
    """
    problems: list[str] = []
    if event.get("specversion") != "1.0":
        problems.append("specversion is not 1.0")
    for attribute in ("id", "source", "type"):
        value = event.get(attribute)
        if not isinstance(value, str) or not value:
            problems.append(f"{attribute} is missing")
    if event.get("tenantid") != operator_id:
        problems.append(f"tenantid is {event.get('tenantid')!r}, not operator {operator_id!r}")
    time = event.get("time")
    try:
        parse_utc(time if isinstance(time, str) else "")
    except ValueError:
        problems.append(f"time {time!r} is not UTC RFC 3339 with Z")
    if "data" not in event:
        problems.append("data is missing")
    return problems
