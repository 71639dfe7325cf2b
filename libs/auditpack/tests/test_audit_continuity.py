import itertools
from datetime import date, timedelta
from pathlib import Path

from auditpack_builders import DAY, OP, build_bytes, handful, spec_for, write

from auditpack.findings import Finding
from auditpack.merkle import LogState, append, leaf_hash
from auditpack.pack import PackResult
from auditpack.verify import verify_pack

CONTINUITY = ("manifest.json", "continuity with previous pack")


def _chain(tmp_path: Path, days: int, operator: str = OP) -> list[tuple[Path, PackResult]]:
    """Daily packs from DAY on; the second day has no events."""
    packs: list[tuple[Path, PackResult]] = []
    state, previous = LogState.empty(), None
    for n in range(days):
        day = DAY + timedelta(days=n)
        records = [] if n == 1 else handful(day, start=state.size, operator=operator)
        spec = spec_for(day, seq=n + 1, previous=previous, before=state, operator=operator)
        data, result = build_bytes(records, spec)
        packs.append((write(tmp_path / f"{operator}-{day}.zip", data), result))
        state, previous = result.log_after, result.manifest_sha256
    return packs


def _failures(pack: Path, previous: Path) -> list[Finding]:
    return list(verify_pack(pack, previous=previous).failures)


def test_consecutive_packs_including_an_empty_day_chain(tmp_path: Path) -> None:
    packs = _chain(tmp_path, 3)
    assert verify_pack(packs[0][0]).ok
    for (prior, _), (pack, _) in itertools.pairwise(packs):
        result = verify_pack(pack, previous=prior)
        assert result.ok, result.failures


def test_a_pack_two_days_back_is_not_the_previous_pack(tmp_path: Path) -> None:
    packs = _chain(tmp_path, 3)
    failures = _failures(packs[2][0], packs[0][0])
    details = " | ".join(f.detail for f in failures)
    assert {(f.file, f.check) for f in failures} == {CONTINUITY}
    assert "pack_seq 3 does not follow the previous pack's 1" in details
    assert "previous_manifest_sha256 is not the SHA-256" in details
    assert (
        "starts at 2026-11-26T00:00:00Z, the previous pack's ended at 2026-11-25T00:00:00Z"
        in details
    )


def test_a_skipped_sequence_number_is_refused(tmp_path: Path) -> None:
    (first, result), *_ = _chain(tmp_path, 1)
    day = DAY + timedelta(days=1)
    spec = spec_for(day, seq=3, previous=result.manifest_sha256, before=result.log_after)
    skipped = write(tmp_path / "skipped.zip", build_bytes(handful(day, start=4), spec)[0])
    assert [f.detail for f in _failures(skipped, first)] == [
        "pack_seq 3 does not follow the previous pack's 1"
    ]


def test_a_pack_that_does_not_extend_the_previous_log_is_refused(tmp_path: Path) -> None:
    (first, result), *_ = _chain(tmp_path, 1)
    rewritten = append((), 0, [leaf_hash(b"rewritten %d" % i) for i in range(4)])
    day = DAY + timedelta(days=1)
    spec = spec_for(
        day, seq=2, previous=result.manifest_sha256, before=LogState(4, rewritten.frontier)
    )
    fork = write(tmp_path / "fork.zip", build_bytes(handful(day, start=4), spec)[0])
    assert verify_pack(fork).ok  # consistent on its own
    assert [f.detail for f in _failures(fork, first)] == [
        "frontier_before does not fold to the previous pack's root"
    ]


def test_a_pack_whose_log_starts_at_another_size_is_refused(tmp_path: Path) -> None:
    (first, result), *_ = _chain(tmp_path, 1)
    longer = append(result.log_after.frontier, 4, [leaf_hash(b"unexported")])
    day = DAY + timedelta(days=1)
    spec = spec_for(
        day, seq=2, previous=result.manifest_sha256, before=LogState(5, longer.frontier)
    )
    gap = write(tmp_path / "gap.zip", build_bytes(handful(day, start=5), spec)[0])
    details = [f.detail for f in _failures(gap, first)]
    assert "tree_size_before 5 is not the previous pack's tree_size 4" in details


def test_a_pack_of_another_operator_is_not_the_previous_pack(tmp_path: Path) -> None:
    mine = _chain(tmp_path, 2)
    theirs = _chain(tmp_path, 2, operator="op-other")
    assert verify_pack(theirs[1][0], previous=theirs[0][0]).ok
    failures = _failures(theirs[1][0], mine[0][0])
    assert "the previous pack is for operator op-test" in [f.detail for f in failures]


def test_an_unreadable_previous_pack_is_reported(tmp_path: Path) -> None:
    (_, _), (second, _) = _chain(tmp_path, 2)
    broken = write(tmp_path / "broken.zip", b"PK nothing")
    failures = verify_pack(second, previous=broken).failures
    assert [(f.file, f.check) for f in failures] == [("broken.zip", "previous pack")]


def test_daily_periods_cross_year_ends() -> None:
    assert spec_for(date(2026, 12, 31)).period.end.isoformat() == "2027-01-01T00:00:00+00:00"
