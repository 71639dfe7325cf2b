"""Test-data builders for audit packs: events, records, keyrings, packs, and forgeries."""

import base64
import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auditpack.manifest import MANIFEST_JSON, MANIFEST_SIG, PACK_FILES
from auditpack.merkle import LogState, append, leaf_hash
from auditpack.pack import PackResult, PackSpec, build_pack
from auditpack.period import Period
from auditpack.records import AuditRecord, canonical_json
from auditpack.signing import KeyRing, SigningKey
from auditpack.summary import SummaryFacts, write_summary
from auditpack.summary_data import notices_from_lines
from auditpack.zipstore import bytes_member, write_zip
from contracts import EventData
from contracts.assessment import AttemptSubmitted, LessonCompleted, TrainingState
from contracts.cloudevents import Envelope
from contracts.common import Evidence, ModuleCompletion, Override, TrainingRecord
from contracts.portal import ToolingUnlocked

OP = "op-test"
DAY = date(2026, 11, 24)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
#: The modules the test track version requires before an exam.
MODULES = ("aml", "kyc")


def at(day: date = DAY, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


def private_key(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def signing_key(
    key_id: str = "test-key", *, valid_from: datetime = EPOCH, valid_until: datetime | None = None
) -> SigningKey:
    return SigningKey(key_id, private_key(key_id), valid_from, valid_until)


def keyring(*keys: SigningKey) -> KeyRing:
    return KeyRing(keys or (signing_key(),))


def training(completed: Iterable[tuple[str, datetime]] = (), **over: Any) -> TrainingState:
    """A staff member's state on the MGA compliance officer track (Ana Borg by default)."""
    fields: dict[str, Any] = {
        "staff_name": "Ana Borg",
        "staff_email": "ana@op-test.example",
        "jurisdiction": "MGA",
        "regulator": "Malta Gaming Authority",
        "role": "compliance_officer",
        "track_key": "MGA.compliance_officer",
        "track_title": "Malta: compliance officer",
        "track_version": "mga-1",
        "modules_required": list(MODULES),
        "modules_completed": [ModuleCompletion(module_id=m, completed_at=t) for m, t in completed],
        "attempts": 0,
        "pass_mark": 80,
    }
    fields.update(over)
    return TrainingState(**fields)


def lesson(
    when: datetime, staff_id: str = "staff-1", *, state: TrainingState | None = None
) -> LessonCompleted:
    return LessonCompleted(
        staff_id=staff_id,
        jurisdiction="MGA",
        role="compliance_officer",
        track_version="mga-1",
        module_id="aml",
        lesson_id="aml-1",
        completed_at=when,
        training=state,
    )


def attempt(
    when: datetime, *, number: int = 1, passed: bool = True, **over: Any
) -> AttemptSubmitted:
    fields: dict[str, Any] = {
        "attempt_id": f"att-{number}",
        "staff_id": "staff-1",
        "staff_name": "Ana Borg",
        "staff_email": "ana@op-test.example",
        "role": "compliance_officer",
        "jurisdiction": "MGA",
        "track_version": "mga-1",
        "attempt_number": number,
        "started_at": when - timedelta(minutes=30),
        "submitted_at": when,
        "score": 90 if passed else 40,
        "pass_mark": 80,
        "result": "pass" if passed else "fail",
        "certificate_id": f"cert-{number}" if passed else None,
        "certificate_valid_until": when + timedelta(days=548) if passed else None,
    }
    fields.update(over)
    return AttemptSubmitted(**fields)


def evidence(
    passed_at: datetime,
    expires_at: datetime,
    cert: str = "cert-1",
    *,
    completed: Sequence[str] | None = MODULES,
) -> Evidence:
    """Evidence whose training record has `completed` (of MODULES) done an hour before the
    certificate was passed; None: a certificate from before training was recorded."""
    record = (
        None
        if completed is None
        else TrainingRecord(
            modules_required=list(MODULES),
            modules_completed=[
                ModuleCompletion(module_id=m, completed_at=passed_at - timedelta(hours=1))
                for m in completed
            ],
        )
    )
    return Evidence(
        certificate_id=cert,
        staff_id="staff-1",
        role="compliance_officer",
        track_version="mga-1",
        passed_at=passed_at,
        expires_at=expires_at,
        training=record,
    )


def unlocked(
    when: datetime, proofs: list[Evidence], *, override: Override | None = None
) -> ToolingUnlocked:
    return ToolingUnlocked(
        release_id="rel-1",
        operator_id=OP,
        jurisdiction="MGA",
        tooling=["mga-suite", "mga-reports"],
        reason="manual_override" if override else "certification",
        evidence=proofs,
        override=override,
        unlocked_at=when,
    )


def record(index: int, data: EventData, when: datetime, operator: str = OP) -> AuditRecord:
    envelope = Envelope(
        data=data,
        tenantid=operator,
        source="/test",
        id=f"evt-{operator}-{index}",
        time=when,
        traceparent=f"00-{index:032x}-{index:016x}-01",
    )
    return AuditRecord.from_envelope(index, when + timedelta(milliseconds=5), envelope)


def handful(day: date = DAY, start: int = 0, operator: str = OP) -> list[AuditRecord]:
    """A small realistic day: lessons, a failed then a passed attempt, a release."""
    passed_at = at(day, 11)
    data: list[tuple[EventData, datetime]] = [
        (lesson(at(day, 9)), at(day, 9)),
        (attempt(at(day, 10), number=1, passed=False), at(day, 10)),
        (attempt(passed_at, number=2), passed_at),
        (
            unlocked(at(day, 12), [evidence(passed_at, passed_at + timedelta(days=548), "cert-2")]),
            at(day, 12),
        ),
    ]
    return [record(start + i, d, when, operator) for i, (d, when) in enumerate(data)]


def trained_day(day: date = DAY, start: int = 0, operator: str = OP) -> list[AuditRecord]:
    """A day with training states: staff-2 first in the log, staff-1 on two tracks with its
    MGA state superseded during the day, a lesson from before training was recorded, and a
    release whose evidence was trained."""
    aml, kyc, passed = at(day, 9), at(day, 10), at(day, 11)
    zoe = training(staff_name="Zoe Vella", staff_email="zoe@op-test.example")
    isle_of_man = training(
        jurisdiction="GSC",
        regulator="Isle of Man Gambling Supervision Commission",
        track_key="GSC.compliance_officer",
        track_title="Isle of Man: compliance officer",
        track_version="gsc-1",
    )
    certified = training(
        [("aml", aml), ("kyc", kyc)],
        attempts=1,
        best_score=90,
        result="pass",
        certificate_id="cert-1",
        certificate_valid_until=passed + timedelta(days=548),
    )
    data: list[tuple[EventData, datetime]] = [
        (lesson(at(day, 8), "staff-2", state=zoe), at(day, 8)),
        (lesson(aml, state=training([("aml", aml)])), aml),
        (lesson(at(day, 9, 30), state=isle_of_man), at(day, 9, 30)),
        (lesson(kyc), kyc),
        (attempt(passed, training=certified), passed),
        (unlocked(at(day, 12), [evidence(passed, passed + timedelta(days=548))]), at(day, 12)),
    ]
    return [record(start + i, d, when, operator) for i, (d, when) in enumerate(data)]


def spec_for(
    day: date = DAY,
    *,
    seq: int = 1,
    previous: str | None = None,
    before: LogState | None = None,
    operator: str = OP,
) -> PackSpec:
    return PackSpec(operator, Period.day(day), seq, previous, before or LogState.empty())


def build_bytes(
    records: Iterable[AuditRecord], spec: PackSpec | None = None, ring: KeyRing | None = None
) -> tuple[bytes, PackResult]:
    out = io.BytesIO()
    result = build_pack(out, records, spec=spec or spec_for(), keyring=ring or keyring())
    return out.getvalue(), result


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def members(pack: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pack)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def reforge(
    pack: bytes,
    *,
    key: SigningKey | None = None,
    change: Callable[[dict[str, bytes]], None] | None = None,
    change_manifest: Callable[[dict[str, Any]], None] | None = None,
    regenerate_summary: bool = True,
) -> bytes:
    """Alter members, then make everything consistent again (root, summary, hashes, sizes)
    and re-sign the manifest with `key` (the real test key by default): a forger's pack."""
    files = members(pack)
    if change is not None:
        change(files)
    manifest = json.loads(files[MANIFEST_JSON])
    log = manifest["log"]
    lines = files["events.jsonl"].splitlines()
    frontier = [bytes.fromhex(h) for h in log["frontier_before"]]
    appended = append(frontier, log["tree_size_before"], (leaf_hash(line) for line in lines))
    log["tree_size"], log["root"] = appended.size, appended.root.hex()
    if change_manifest is not None:
        change_manifest(manifest)
    if regenerate_summary:
        files["summary.html"] = _summary(manifest, files)
    for entry in manifest["files"]:
        data = files[entry["path"]]
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        entry["bytes"] = len(data)
    files[MANIFEST_JSON] = canonical_json(manifest)
    files[MANIFEST_SIG] = base64.b64encode((key or signing_key()).sign(files[MANIFEST_JSON]))
    return rezip(files, Period.from_json(manifest["period"]).start)


def _summary(manifest: dict[str, Any], files: dict[str, bytes]) -> bytes:
    def rows(name: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(files[name].decode(), newline="")))[1:]

    training, release = rows("training-records.csv"), rows("release-evidence.csv")
    facts = SummaryFacts(
        operator_id=manifest["operator_id"],
        period=Period.from_json(manifest["period"]),
        pack_seq=manifest["pack_seq"],
        previous_manifest_sha256=manifest["previous_manifest_sha256"],
        event_count=len(files["events.jsonl"].splitlines()),
        training_count=len(training),
        release_count=len(release),
        tree_size_before=manifest["log"]["tree_size_before"],
        tree_size=manifest["log"]["tree_size"],
        root_hex=manifest["log"]["root"],
        key_id=manifest["key_id"],
    )
    revision_2 = "training-register.csv" in files
    register = rows("training-register.csv") if revision_2 else None
    notices = notices_from_lines(files["events.jsonl"].splitlines()) if revision_2 else None
    out = io.BytesIO()
    write_summary(out.write, facts, training, release, register, notices)
    return out.getvalue()


def rezip(files: dict[str, bytes], stamp: datetime) -> bytes:
    out = io.BytesIO()
    write_zip(out, [bytes_member(name, files[name]) for name in PACK_FILES if name in files], stamp)
    return out.getvalue()


def replace_line(
    files: dict[str, bytes], number: int, edit: Callable[[dict[str, Any]], None]
) -> None:
    """Edit the parsed record on line `number` (0-based) and store it canonically again."""
    lines = files["events.jsonl"].splitlines()
    value = json.loads(lines[number])
    edit(value)
    lines[number] = canonical_json(value)
    files["events.jsonl"] = b"".join(line + b"\n" for line in lines)
