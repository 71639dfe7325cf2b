"""Two consecutive example packs for a fictional operator, built by the real pack code.

For documentation, demos and inspectors' dry runs. Everything is deterministic (fixed ids,
times and a published sample key), so the output is byte-identical on every run; the sample
key signs sample packs only and must never be configured in a real keyring.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit_export.domain.merkle import LogState
from audit_export.domain.pack import PackResult, PackSpec, write_pack_file
from audit_export.domain.period import Period, pack_filename
from audit_export.domain.public_keys import PUBLIC_KEY_FILE, export_public_keys
from audit_export.domain.records import AuditRecord
from audit_export.domain.signing import KeyRing, SigningKey
from contracts import EventData
from contracts.assessment import (
    AttemptStarted,
    AttemptSubmitted,
    CertificationIssued,
    LessonCompleted,
    ModuleCompleted,
    OperatorJurisdictionsSet,
    StaffProvisioned,
)
from contracts.cloudevents import Envelope
from contracts.common import Evidence
from contracts.portal import ToolingUnlocked
from contracts.release import ReleaseDecided, ReleaseDelivered

OPERATOR = "op-aurora-gaming"
DAYS = (date(2026, 11, 23), date(2026, 11, 24))
SAMPLE_KEY_ID = "sample-not-for-production"
_NAMESPACE = uuid.UUID("6f1c0b52-6c1e-4a8e-9d0e-3a2f0c9b7d11")
TRACK = "mga-2026.2"


def sample_keyring() -> KeyRing:
    seed = hashlib.sha256(b"licensing-academy/sample-audit-signing-key/v1").digest()
    key = SigningKey(
        key_id=SAMPLE_KEY_ID,
        private_key=Ed25519PrivateKey.from_private_bytes(seed),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return KeyRing([key])


@dataclass
class SampleLog:
    """Accumulates an operator's audit records with deterministic ids and trace ids."""

    operator_id: str = OPERATOR
    records: list[AuditRecord] = field(default_factory=list)

    def add(
        self, data: EventData, *, source: str, at: datetime, subject: str | None = None
    ) -> None:
        index = len(self.records)
        event_id = str(uuid.uuid5(_NAMESPACE, f"{self.operator_id}/{index}"))
        trace = hashlib.sha256(event_id.encode()).hexdigest()
        envelope = Envelope(
            data=data,
            tenantid=self.operator_id,
            source=source,
            id=event_id,
            time=at,
            subject=subject,
            traceparent=f"00-{trace[:32]}-{trace[32:48]}-01",
        )
        recorded_at = at + timedelta(milliseconds=180 + 7 * index)
        self.records.append(AuditRecord.from_envelope(index, recorded_at, envelope))

    def on(self, day: date) -> list[AuditRecord]:
        period = Period.day(day)
        return [r for r in self.records if period.contains(r.recorded_at)]


MARIA = ("staff-0042", "Maria Camilleri", "compliance_officer")
SIOBHAN = ("staff-0057", "Siobhán O'Brien, MLRO", "compliance_officer")


def _t(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=UTC)


def _day_one(log: SampleLog, day: date) -> None:
    assessment = "/academy/assessment"
    log.add(
        OperatorJurisdictionsSet(
            operator_id=OPERATOR,
            jurisdictions=["MGA"],
            actor="onboarding@vendor.example",
            reason="Go-live in Malta planned for December",
            set_at=_t(day, 8, 30),
        ),
        source=assessment,
        at=_t(day, 8, 30),
    )
    for staff_id, name, role in (MARIA, SIOBHAN):
        email = f"{staff_id}@aurora-gaming.example"
        log.add(
            StaffProvisioned(
                staff_id=staff_id,
                email=email,
                name=name,
                roles=[role],
                provisioned_at=_t(day, 8, 45),
            ),
            source=assessment,
            at=_t(day, 8, 45),
        )
    for minute, lesson in ((5, "aml-risk-based-approach"), (40, "aml-suspicious-activity")):
        log.add(
            LessonCompleted(
                staff_id="staff-0042",
                jurisdiction="MGA",
                role="compliance_officer",
                track_version=TRACK,
                module_id="core-aml",
                lesson_id=lesson,
                completed_at=_t(day, 10, minute),
            ),
            source=assessment,
            at=_t(day, 10, minute),
        )
    log.add(
        ModuleCompleted(
            staff_id="staff-0042",
            jurisdiction="MGA",
            role="compliance_officer",
            track_version=TRACK,
            module_id="core-aml",
            completed_at=_t(day, 10, 41),
        ),
        source=assessment,
        at=_t(day, 10, 41),
    )
    _attempt(log, day, number=1, start=(14, 0), score=64, certificate=None)


def _attempt(
    log: SampleLog,
    day: date,
    *,
    staff: tuple[str, str, str] = MARIA,
    number: int,
    start: tuple[int, int],
    score: int,
    certificate: str | None,
) -> None:
    staff_id, name, role = staff
    started, submitted = _t(day, *start), _t(day, *start) + timedelta(minutes=31, seconds=12)
    attempt_id = f"att-{staff_id[-4:]}-mga-{number}"
    log.add(
        AttemptStarted(
            attempt_id=attempt_id,
            staff_id=staff_id,
            jurisdiction="MGA",
            role=role,
            track_version=TRACK,
            attempt_number=number,
            seed=4242 + number,
            question_ids=[f"mga-q{i:03d}" for i in range(1, 21)],
            started_at=started,
            deadline=started + timedelta(minutes=60),
        ),
        source="/academy/assessment",
        at=started,
    )
    log.add(
        AttemptSubmitted(
            attempt_id=attempt_id,
            staff_id=staff_id,
            staff_name=name,
            staff_email=f"{staff_id}@aurora-gaming.example",
            role=role,
            jurisdiction="MGA",
            track_version=TRACK,
            attempt_number=number,
            started_at=started,
            submitted_at=submitted,
            score=score,
            pass_mark=80,
            result="pass" if score >= 80 else "fail",
            certificate_id=certificate,
            certificate_valid_until=submitted + timedelta(days=548) if certificate else None,
        ),
        source="/academy/assessment",
        at=submitted,
    )


def _day_two(log: SampleLog, day: date) -> None:
    _attempt(log, day, number=2, start=(9, 10), score=88, certificate="cert-mga-0042-1")
    passed = _t(day, 9, 41, 12)
    expires = passed + timedelta(days=548)
    log.add(
        CertificationIssued(
            certificate_id="cert-mga-0042-1",
            staff_id="staff-0042",
            staff_name="Maria Camilleri",
            role="compliance_officer",
            jurisdiction="MGA",
            track_version=TRACK,
            attempt_id="att-0042-mga-2",
            passed_at=passed,
            expires_at=expires,
            verification_code="AUR-MGA-7K2Q-94XD",
        ),
        source="/academy/assessment",
        at=passed,
    )
    evidence = [
        Evidence(
            certificate_id="cert-mga-0042-1",
            staff_id="staff-0042",
            role="compliance_officer",
            track_version=TRACK,
            passed_at=passed,
            expires_at=expires,
        )
    ]
    release = {"release_id": "rel-aurora-mga-1", "operator_id": OPERATOR, "jurisdiction": "MGA"}
    tooling = ["mga-licensing-suite", "mga-reporting"]
    log.add(
        ReleaseDecided(
            **release,
            tooling=tooling,
            reason="certification",
            evidence=evidence,
            epoch=1,
            decided_at=passed + timedelta(seconds=2),
        ),
        source="/academy/release-bridge",
        at=passed + timedelta(seconds=2),
    )
    log.add(
        ReleaseDelivered(
            **release,
            webhook_type="tooling.released.v1",
            status_code=204,
            attempts=1,
            delivered_at=passed + timedelta(seconds=3),
        ),
        source="/academy/release-bridge",
        at=passed + timedelta(seconds=3),
    )
    log.add(
        ToolingUnlocked(
            **release,
            tooling=tooling,
            reason="certification",
            evidence=evidence,
            unlocked_at=passed + timedelta(seconds=3),
        ),
        source="/portal",
        at=passed + timedelta(seconds=3),
    )
    _attempt(
        log, day, staff=SIOBHAN, number=1, start=(15, 20), score=92, certificate="cert-mga-0057-1"
    )


def sample_log() -> SampleLog:
    log = SampleLog()
    _day_one(log, DAYS[0])
    _day_two(log, DAYS[1])
    return log


def write_sample(outdir: Path) -> list[Path]:
    """Write both packs and the public key file into `outdir`; returns their paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    keyring = sample_keyring()
    log = sample_log()
    state, previous, written = LogState.empty(), None, []
    for seq, day in enumerate(DAYS, start=1):
        path = outdir / pack_filename(OPERATOR, day)
        spec = PackSpec(OPERATOR, Period.day(day), seq, previous, state)
        result: PackResult = write_pack_file(path, log.on(day), spec=spec, keyring=keyring)
        state, previous = result.log_after, result.manifest_sha256
        written.append(path)
    key_file = outdir / PUBLIC_KEY_FILE
    key_file.write_bytes(export_public_keys([k.public for k in keyring.keys]))
    written.append(key_file)
    return written
