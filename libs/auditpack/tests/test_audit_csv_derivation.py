import csv
import io
from datetime import timedelta

from auditpack_builders import (
    at,
    attempt,
    build_bytes,
    evidence,
    handful,
    members,
    record,
    unlocked,
)

from auditpack.derive import (
    csv_row_for,
    release_row,
    trained_before_release,
    training_row,
)
from contracts.common import Override

RELEASED = at(hour=12)
DAYS_548 = timedelta(days=548)


def test_trained_when_a_certificate_was_passed_before_release_and_still_valid() -> None:
    assert trained_before_release(
        [evidence(RELEASED - timedelta(hours=1), RELEASED + DAYS_548)], RELEASED
    )


def test_not_trained_when_the_certificate_was_passed_after_release() -> None:
    proof = evidence(RELEASED + timedelta(seconds=1), RELEASED + DAYS_548)
    assert not trained_before_release([proof], RELEASED)


def test_not_trained_when_the_certificate_expired_before_release() -> None:
    proof = evidence(RELEASED - DAYS_548, RELEASED - timedelta(days=1))
    assert not trained_before_release([proof], RELEASED)


def test_boundaries_passed_at_release_instant_or_expiring_at_it_do_not_count() -> None:
    assert not trained_before_release([evidence(RELEASED, RELEASED + DAYS_548)], RELEASED)
    assert not trained_before_release([evidence(RELEASED - DAYS_548, RELEASED)], RELEASED)


def test_one_good_certificate_among_bad_ones_is_enough() -> None:
    proofs = [
        evidence(RELEASED + timedelta(hours=1), RELEASED + DAYS_548, "late"),
        evidence(RELEASED - timedelta(days=2), RELEASED + DAYS_548, "good"),
    ]
    assert trained_before_release(proofs, RELEASED)


def test_release_row_lists_certificates_and_override_and_uses_unlock_time() -> None:
    proofs = [
        evidence(RELEASED - timedelta(days=600), RELEASED - timedelta(days=52), "expired"),
        evidence(RELEASED + timedelta(minutes=5), RELEASED + DAYS_548, "after"),
    ]
    unlock = unlocked(RELEASED, proofs, override=Override(actor="sup@v", reason="urgent"))
    row = release_row(unlock, revision=2)
    assert row == [
        "rel-1",
        "MGA",
        "mga-suite;mga-reports",
        "2026-11-24T12:00:00Z",
        "manual_override",
        "expired;after",
        "2025-04-03T12:00:00Z;2026-11-24T12:05:00Z",
        "sup@v",
        "urgent",
        "false",
    ]


def test_manual_override_without_evidence_is_not_trained() -> None:
    unlock = unlocked(RELEASED, [], override=Override(actor="sup@v", reason="hotfix"))
    row = release_row(unlock, revision=2)
    assert row[5:] == ["", "", "sup@v", "hotfix", "false"]


def test_training_row_of_a_failed_attempt_has_no_certificate() -> None:
    row = training_row(attempt(at(hour=10), number=1, passed=False))
    assert row == [
        "att-1",
        "staff-1",
        "Ana Borg",
        "ana@op-test.example",
        "compliance_officer",
        "MGA",
        "mga-1",
        "1",
        "2026-11-24T09:30:00Z",
        "2026-11-24T10:00:00Z",
        "40",
        "80",
        "fail",
        "",
        "",
    ]


def test_only_attempts_and_unlocks_produce_rows() -> None:
    kinds = [csv_row_for(r.event, revision=2) for r in handful()]
    assert [k[0] if k else None for k in kinds] == [
        None,
        "training-records.csv",
        "training-records.csv",
        "release-evidence.csv",
    ]


def test_csv_quotes_commas_quotes_and_newlines_and_round_trips() -> None:
    name = 'Siobhán "Shiv" O\'Brien,\nMLRO'
    records = [record(0, attempt(at(hour=10), staff_name=name), at(hour=10))]
    text = members(build_bytes(records)[0])["training-records.csv"].decode()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][2] == name
    assert text.endswith("\r\n")


def test_pack_csvs_have_one_row_per_event_in_log_order() -> None:
    files = members(build_bytes(handful())[0])
    training = list(csv.reader(io.StringIO(files["training-records.csv"].decode(), newline="")))
    release = list(csv.reader(io.StringIO(files["release-evidence.csv"].decode(), newline="")))
    assert [(r[0], r[12]) for r in training[1:]] == [("att-1", "fail"), ("att-2", "pass")]
    assert [(r[0], r[9]) for r in release[1:]] == [("rel-1", "true")]
