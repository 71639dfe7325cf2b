"""training-register.csv: the last training state per staff member and track of the period."""

import csv
import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
from auditpack_builders import (
    DAY,
    at,
    attempt,
    build_bytes,
    evidence,
    handful,
    lesson,
    members,
    record,
    spec_for,
    trained_day,
    training,
    unlocked,
)

from auditpack.derive import DerivationError
from auditpack.pack import PackBuildError
from auditpack.records import RecordError
from auditpack.register import (
    REGISTER_HEADER_LINE,
    REGISTER_TYPES,
    Register,
    register_entry,
)
from contracts import registry
from contracts.assessment import TrainingState

DESIGN_REGISTER = (
    "staff_id,staff_name,staff_email,role,jurisdiction,regulator,track_key,track_title,"
    "track_version,modules_required,modules_completed,attempts,best_score,pass_mark,result,"
    "certificate_id,certificate_valid_until"
)


def _register(pack: bytes) -> list[list[str]]:
    text = members(pack)["training-register.csv"].decode()
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_header_is_exactly_the_contracts() -> None:
    assert REGISTER_HEADER_LINE == DESIGN_REGISTER
    assert _register(build_bytes(trained_day())[0])[0] == DESIGN_REGISTER.split(",")


def test_a_row_lists_modules_and_completions_with_utc_times_and_leaves_none_empty() -> None:
    state = training([("aml", at(hour=9)), ("kyc", at(hour=10, second=1))], attempts=0)
    entry = register_entry(record(0, lesson(at(hour=10), state=state), at(hour=10)).event)
    assert entry is not None
    assert entry == (
        ("staff-1", "MGA.compliance_officer"),
        [
            "staff-1",
            "Ana Borg",
            "ana@op-test.example",
            "compliance_officer",
            "MGA",
            "Malta Gaming Authority",
            "MGA.compliance_officer",
            "Malta: compliance officer",
            "mga-1",
            "aml;kyc",
            "aml=2026-11-24T09:00:00Z;kyc=2026-11-24T10:00:01Z",
            "0",
            "",
            "80",
            "",
            "",
            "",
        ],
    )


def test_the_last_state_of_a_staff_member_and_track_in_log_order_wins() -> None:
    rows = _register(build_bytes(trained_day())[0])[1:]
    mga = next(r for r in rows if r[0] == "staff-1" and r[6] == "MGA.compliance_officer")
    assert mga[10:] == [
        "aml=2026-11-24T09:00:00Z;kyc=2026-11-24T10:00:00Z",
        "1",
        "90",
        "80",
        "pass",
        "cert-1",
        "2028-05-25T11:00:00Z",
    ]


def test_rows_are_ordered_by_staff_id_then_track_key_one_per_pair() -> None:
    rows = _register(build_bytes(trained_day())[0])[1:]
    assert [(r[0], r[6]) for r in rows] == [
        ("staff-1", "GSC.compliance_officer"),
        ("staff-1", "MGA.compliance_officer"),
        ("staff-2", "MGA.compliance_officer"),
    ]
    assert [r[1] for r in rows] == ["Ana Borg", "Ana Borg", "Zoe Vella"]


def test_events_without_a_training_state_give_no_row() -> None:
    passed = at(hour=11)
    register = Register()
    for item in [
        record(0, lesson(at(hour=9)), at(hour=9)),  # from before training was recorded
        record(1, attempt(passed), passed),
        record(2, unlocked(at(hour=12), []), at(hour=12)),
    ]:
        register.add(item.event, item.line)
    lesson_of_old = {"type": "academy.lesson.completed.v1", "data": {"staff_id": "s", "n": 1}}
    register.add(lesson_of_old, b"")
    register.add({"type": "academy.staff.provisioned.v1", "data": {"training": {"x": 1}}}, b"")
    assert len(register) == 0
    assert _register(build_bytes(handful())[0]) == [DESIGN_REGISTER.split(",")]


def test_a_period_without_events_has_a_header_only_register_listed_with_zero_rows() -> None:
    pack, result = build_bytes([])
    assert members(pack)["training-register.csv"] == DESIGN_REGISTER.encode() + b"\r\n"
    entry = next(f for f in result.manifest.files if f.path == "training-register.csv")
    assert entry.rows == 0


def test_the_register_is_listed_in_the_manifest_hashed_sized_and_counted() -> None:
    pack, result = build_bytes(trained_day())
    files = members(pack)
    listed = {e["path"]: e for e in json.loads(files["manifest.json"])["files"]}
    register = files["training-register.csv"]
    assert listed["training-register.csv"] == {
        "path": "training-register.csv",
        "sha256": hashlib.sha256(register).hexdigest(),
        "bytes": len(register),
        "rows": 3,
    }
    assert register.endswith(b"\r\n")
    assert b'"Malta: compliance officer"' not in register  # minimal quoting, as RFC 4180
    assert build_bytes(trained_day())[0] == pack
    assert result.manifest.format == "academy-auditpack/1"


def test_a_training_state_that_breaks_its_contract_stops_the_build() -> None:
    event = record(0, lesson(at(hour=9), state=training()), at(hour=9))
    broken = json.loads(event.line)
    broken["event"]["data"]["training"]["attempts"] = -1
    with pytest.raises(DerivationError, match="does not match its contract"):
        register_entry(broken["event"])
    forged = type(event)(index=0, recorded_at=event.recorded_at, event=broken["event"])
    expected = "training-register.csv: academy.lesson.completed.v1 data does not match"
    with pytest.raises(PackBuildError, match=re.escape(expected)):
        build_bytes([forged])


def test_a_pack_shows_only_the_states_its_own_period_carries() -> None:
    first = trained_day()
    later = at(DAY + timedelta(days=1), 9)
    state = training(staff_name="Ana Borg-Camilleri")
    second = [record(len(first), lesson(later, state=state), later)]
    before = build_bytes(first)[1].log_after
    pack = build_bytes(
        second, spec_for(DAY + timedelta(days=1), seq=2, previous="ab" * 32, before=before)
    )[0]
    assert [r[1] for r in _register(pack)[1:]] == ["Ana Borg-Camilleri"]


def test_every_event_type_that_carries_a_training_state_feeds_the_register() -> None:
    carriers = {
        model.ce_type
        for model in registry.EVENT_MODELS
        if "training" in model.model_fields
        and model.model_fields["training"].annotation == TrainingState | None
    }
    assert frozenset(carriers) == REGISTER_TYPES
    assert {"academy.lesson.opened.v1", "academy.training.waived.v1"} <= REGISTER_TYPES


def test_only_lines_holding_a_training_state_are_parsed_for_the_register() -> None:
    passed = at(hour=11)
    trained = record(1, lesson(at(hour=9), state=training()), at(hour=9)).line
    release = unlocked(at(hour=12), [evidence(passed, passed + timedelta(days=548))])
    unlock = record(2, release, at(hour=12)).line  # its evidence holds training records
    register = Register()
    register.add_lines(b"{not json, and never parsed\n" + trained + b"\n" + unlock + b"\n")
    assert [r[0] for r in register.rows()] == ["staff-1"]
    with pytest.raises(RecordError):
        register.add_lines(b'{"training":{broken\n')
