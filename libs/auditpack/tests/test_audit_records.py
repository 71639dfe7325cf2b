import json
from datetime import UTC, datetime

import pytest
from auditpack_builders import OP, at, lesson, record

from auditpack.records import AuditRecord, RecordError, event_problems


def test_record_line_is_the_jcs_canonical_form_of_index_recorded_at_and_event() -> None:
    item = record(7, lesson(at()), at())
    value = json.loads(item.line)
    assert list(value) == ["event", "index", "recorded_at"]
    assert value["index"] == 7
    assert value["recorded_at"] == "2026-11-24T09:00:00.005000Z"
    assert value["event"]["data"]["completed_at"] == "2026-11-24T09:00:00Z"
    # for ASCII content JCS is sorted, compact JSON
    assert item.line == json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def test_a_stored_line_round_trips() -> None:
    item = record(3, lesson(at()), at())
    parsed = AuditRecord.from_line(item.line)
    assert parsed.index == 3
    assert parsed.recorded_at == item.recorded_at
    assert parsed.line == item.line


@pytest.mark.parametrize(
    "mutate",
    [
        lambda v: json.dumps(v).encode(),  # spaces after separators
        lambda v: json.dumps(dict(reversed(v.items())), separators=(",", ":")).encode(),
        lambda v: json.dumps(
            {**v, "recorded_at": "2026-11-24T09:00:00.005+00:00"},
            sort_keys=True,
            separators=(",", ":"),
        ).encode(),
        lambda v: json.dumps({**v, "extra": 1}, sort_keys=True, separators=(",", ":")).encode(),
        lambda v: json.dumps({**v, "index": True}, sort_keys=True, separators=(",", ":")).encode(),
        lambda v: b"\xff" + json.dumps(v).encode(),
        lambda v: b'{"index":NaN}',
    ],
)
def test_lines_not_in_exact_canonical_form_are_refused(mutate) -> None:  # type: ignore[no-untyped-def]
    value = json.loads(record(0, lesson(at()), at()).line)
    with pytest.raises(RecordError):
        AuditRecord.from_line(mutate(value))


def test_event_of_another_operator_is_a_problem() -> None:
    event = dict(record(0, lesson(at()), at(), operator="op-other").event)
    assert any("tenantid" in p for p in event_problems(event, OP))
    assert event_problems(dict(record(0, lesson(at()), at()).event), OP) == []


def test_event_time_must_be_utc_with_z() -> None:
    event = dict(record(0, lesson(at()), at()).event)
    event["time"] = datetime(2026, 11, 24, tzinfo=UTC).isoformat()
    assert event_problems(event, OP) == [
        "time '2026-11-24T00:00:00+00:00' is not UTC RFC 3339 with Z"
    ]
