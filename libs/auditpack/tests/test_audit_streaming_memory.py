"""Building a pack holds O(1) records in memory, whatever the number of events (the training
register holds one row per staff member and track, not per event)."""

import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from auditpack_builders import (
    OP,
    at,
    attempt,
    evidence,
    keyring,
    lesson,
    spec_for,
    training,
    unlocked,
)

from auditpack.pack import PackResult, write_pack_file
from auditpack.records import AuditRecord
from auditpack.spool import Spool

SMALL, LARGE = 4_000, 40_000
STAFF, TRACKS = 97, ("MGA.compliance_officer", "GSC.compliance_officer")
#: Far below what holding the events would take: the large pack's lines alone are ~14 MB. A
#: block of 512 records and the register's 194 rows (~0.3 MB) are in it.
PEAK_BOUND = 3 * 1024 * 1024
#: What the peak may grow by when the events grow tenfold (allocator noise, not records).
GROWTH_BOUND = 128 * 1024


def _records(events: int) -> Iterator[AuditRecord]:
    start = at(hour=0)
    exam = attempt(at(hour=10)).model_dump(mode="json")
    passed = at(hour=1)
    release = unlocked(at(hour=2), [evidence(passed, passed + timedelta(days=548))])
    release_data = release.model_dump(mode="json")
    trained = lesson(at(hour=9), state=training()).model_dump(mode="json")
    for index in range(events):
        when = start + timedelta(milliseconds=300 * index)
        if index % 100 == 1:
            kind, data = "academy.attempt.submitted.v1", {**exam, "attempt_id": f"att-{index}"}
        elif index % 1000 == 2:
            kind, data = "portal.tooling.unlocked.v1", {**release_data, "release_id": f"r-{index}"}
        elif index % 10 == 3:
            state = {**trained["training"], "track_key": TRACKS[index // 10 % 2], "attempts": index}
            staff = f"s-{index % STAFF}"
            kind, data = (
                "academy.lesson.completed.v1",
                {**trained, "staff_id": staff, "training": state},
            )
        else:
            kind, data = "academy.lesson.completed.v1", {"staff_id": f"s-{index % 97}", "n": index}
        event = {
            "specversion": "1.0",
            "id": f"evt-{index}",
            "source": "/academy/assessment",
            "type": kind,
            "time": "2026-11-24T00:00:00Z",
            "datacontenttype": "application/json",
            "tenantid": OP,
            "data": data,
        }
        yield AuditRecord(index=index, recorded_at=when, event=event)


def _build(tmp_path: Path, events: int) -> tuple[PackResult, int]:
    tracemalloc.start()
    try:
        result = write_pack_file(
            tmp_path / f"pack-{events}.zip",
            _records(events),
            spec=spec_for(),
            keyring=keyring(),
            tmp_dir=tmp_path,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_building_a_pack_keeps_memory_flat_however_many_events_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CSV spools gather rows up to a bound before writing them; the small build's 40
    # attempt rows never reach the production bound (256 KiB) and the large build's 400 do,
    # which reads as growth. With a bound both builds reach, only per-record growth shows.
    monkeypatch.setattr(Spool, "FLUSH_AT", 8 * 1024)
    _, small_peak = _build(tmp_path, SMALL)
    result, peak = _build(tmp_path, LARGE)
    assert result.event_count == LARGE
    assert result.log_after.size == LARGE
    rows = {entry.path: entry.rows for entry in result.manifest.files}
    assert rows["training-records.csv"] == LARGE // 100
    assert rows["release-evidence.csv"] == LARGE // 1000
    assert rows["training-register.csv"] == STAFF * len(TRACKS)
    assert result.zip_bytes > 4 * PEAK_BOUND  # the pack itself is far larger than the bound
    assert peak < PEAK_BOUND, f"peak {peak / 2**20:.2f} MiB"
    assert peak - small_peak < GROWTH_BOUND, f"{small_peak} B for {SMALL}, {peak} B for {LARGE}"
