"""Two consecutive example packs for a fictional operator, built by the real pack code.

For documentation, demos and inspectors' dry runs. Everything is deterministic (fixed ids,
times and a published sample key), so the output is byte-identical on every run; the sample
key signs sample packs only and must never be configured in a real keyring.

Day one: Maria trains through both modules of the Malta track and fails the exam. Day two:
she passes, is certified, and Malta's tooling is released on her certificate; Siobhán sits
the exam after support waived a module (her register row shows it missing) and her
certificate is revoked; Tomás starts the Isle of Man track, whose tooling support forces
live without a certificate.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auditpack.merkle import LogState
from auditpack.pack import PackResult, PackSpec, write_pack_file
from auditpack.period import Period, pack_filename
from auditpack.public_keys import PUBLIC_KEY_FILE, export_public_keys
from auditpack.records import AuditRecord
from auditpack.signing import KeyRing, SigningKey
from contracts import EventData
from contracts.assessment import (
    AttemptStarted,
    AttemptSubmitted,
    CertificationIssued,
    CertificationRevoked,
    LessonCompleted,
    LessonOpened,
    ModuleCompleted,
    OperatorJurisdictionsSet,
    StaffProvisioned,
    TrainingState,
    TrainingWaived,
)
from contracts.cloudevents import Envelope
from contracts.common import Evidence, ModuleCompletion, Override
from contracts.portal import ToolingUnlocked
from contracts.release import ReleaseDecided, ReleaseDelivered

OPERATOR = "op-aurora-gaming"
DAYS = (date(2026, 11, 23), date(2026, 11, 24))
SAMPLE_KEY_ID = "sample-not-for-production"
_NAMESPACE = uuid.UUID("6f1c0b52-6c1e-4a8e-9d0e-3a2f0c9b7d11")
ASSESSMENT = "/academy/assessment"
RELEASE_BRIDGE = "/academy/release-bridge"


class Track(NamedTuple):
    jurisdiction: str
    regulator: str
    title: str
    version: str
    modules: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.jurisdiction}.compliance_officer"


def _version(label: str) -> str:
    """A track version as the catalogue makes them, a SHA-256 of the content (here of a label)."""
    return hashlib.sha256(f"sample-track/{label}".encode()).hexdigest()


MALTA = Track(
    "MGA",
    "Malta Gaming Authority (MGA)",
    "Malta: compliance officer",
    _version("MGA.compliance_officer/2026.2"),
    ("core-aml", "mga-framework"),
)
ISLE_OF_MAN = Track(
    "GSC",
    "Isle of Man Gambling Supervision Commission (GSC)",
    "Isle of Man: compliance officer",
    _version("GSC.compliance_officer/2026.1"),
    ("core-aml", "gsc-aml-code"),
)


def sample_keyring() -> KeyRing:
    seed = hashlib.sha256(b"licensing-academy/sample-audit-signing-key/v1").digest()
    key = SigningKey(
        key_id=SAMPLE_KEY_ID,
        private_key=Ed25519PrivateKey.from_private_bytes(seed),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return KeyRing([key])


@dataclass
class Trainee:
    """A staff member on a sample track, and their training state as events change it."""

    staff_id: str
    name: str
    track: Track = MALTA
    role: str = "compliance_officer"
    completed: list[ModuleCompletion] = field(default_factory=list)
    attempts: int = 0
    best_score: int | None = None
    passed: bool = False
    certificate: tuple[str, datetime] | None = None

    @property
    def email(self) -> str:
        return f"{self.staff_id}@aurora-gaming.example"

    def ids(self) -> dict[str, str]:
        """The fields every training event of theirs starts with."""
        return {
            "staff_id": self.staff_id,
            "jurisdiction": self.track.jurisdiction,
            "role": self.role,
            "track_version": self.track.version,
        }

    def state(self) -> TrainingState:
        return TrainingState(
            staff_name=self.name,
            staff_email=self.email,
            jurisdiction=self.track.jurisdiction,
            regulator=self.track.regulator,
            role=self.role,
            track_key=self.track.key,
            track_title=self.track.title,
            track_version=self.track.version,
            modules_required=list(self.track.modules),
            modules_completed=list(self.completed),
            attempts=self.attempts,
            best_score=self.best_score,
            pass_mark=80,
            result=None if not self.attempts else "pass" if self.passed else "fail",
            certificate_id=self.certificate[0] if self.certificate else None,
            certificate_valid_until=self.certificate[1] if self.certificate else None,
        )


@dataclass
class SampleLog:
    """Accumulates an operator's audit records with deterministic ids and trace ids."""

    operator_id: str = OPERATOR
    records: list[AuditRecord] = field(default_factory=list)
    maria: Trainee = field(default_factory=lambda: Trainee("staff-0042", "Maria Camilleri"))
    siobhan: Trainee = field(default_factory=lambda: Trainee("staff-0057", "Siobhán O'Brien, MLRO"))
    tomas: Trainee = field(
        default_factory=lambda: Trainee("staff-0061", "Tomás Quayle", ISLE_OF_MAN)
    )

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


def _t(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=UTC)


def _module(log: SampleLog, who: Trainee, module: str, lessons: list[tuple[str, datetime]]) -> None:
    """Open and complete each lesson, then the module."""
    for lesson, done in lessons:
        digest = hashlib.sha256(f"{who.track.version}/{lesson}".encode()).hexdigest()
        opened = done - timedelta(minutes=12)
        where = {**who.ids(), "module_id": module, "lesson_id": lesson, "content_digest": digest}
        log.add(
            LessonOpened(**where, opened_at=opened, training=who.state()),
            source=ASSESSMENT,
            at=opened,
        )
        log.add(
            LessonCompleted(**where, completed_at=done, training=who.state()),
            source=ASSESSMENT,
            at=done,
        )
    finished = lessons[-1][1] + timedelta(minutes=1)
    who.completed.append(ModuleCompletion(module_id=module, completed_at=finished))
    log.add(
        ModuleCompleted(**who.ids(), module_id=module, completed_at=finished, training=who.state()),
        source=ASSESSMENT,
        at=finished,
    )


def _attempt(
    log: SampleLog,
    day: date,
    *,
    staff: Trainee,
    number: int,
    start: tuple[int, int],
    score: int,
    certificate: str | None,
) -> None:
    started, submitted = _t(day, *start), _t(day, *start) + timedelta(minutes=31, seconds=12)
    attempt_id = f"att-{staff.staff_id[-4:]}-{staff.track.jurisdiction.lower()}-{number}"
    valid_until = submitted + timedelta(days=548) if certificate else None
    log.add(
        AttemptStarted(
            **staff.ids(),
            attempt_id=attempt_id,
            attempt_number=number,
            seed=4242 + number,
            question_ids=[f"{staff.track.jurisdiction.lower()}-q{i:03d}" for i in range(1, 21)],
            started_at=started,
            deadline=started + timedelta(minutes=60),
            training=staff.state(),
        ),
        source=ASSESSMENT,
        at=started,
    )
    staff.attempts = number
    staff.best_score = max(score, staff.best_score or 0)
    staff.passed = staff.passed or score >= 80
    if certificate is not None and valid_until is not None:
        staff.certificate = (certificate, valid_until)
    log.add(
        AttemptSubmitted(
            **staff.ids(),
            attempt_id=attempt_id,
            staff_name=staff.name,
            staff_email=staff.email,
            attempt_number=number,
            started_at=started,
            submitted_at=submitted,
            score=score,
            pass_mark=80,
            result="pass" if score >= 80 else "fail",
            certificate_id=certificate,
            certificate_valid_until=valid_until,
            training=staff.state(),
        ),
        source=ASSESSMENT,
        at=submitted,
    )


def _certify(log: SampleLog, staff: Trainee, *, passed: datetime, code: str) -> Evidence:
    """Issue the certificate the staff member's passing attempt earned; returns it as evidence."""
    if staff.certificate is None:
        raise ValueError(f"{staff.staff_id} has passed no exam")
    certificate_id, expires = staff.certificate
    log.add(
        CertificationIssued(
            certificate_id=certificate_id,
            staff_id=staff.staff_id,
            staff_name=staff.name,
            role=staff.role,
            jurisdiction=staff.track.jurisdiction,
            track_version=staff.track.version,
            attempt_id=f"att-{staff.staff_id[-4:]}-{staff.track.jurisdiction.lower()}-"
            f"{staff.attempts}",
            passed_at=passed,
            expires_at=expires,
            verification_code=code,
            training=staff.state(),
        ),
        source=ASSESSMENT,
        at=passed,
    )
    return Evidence(
        certificate_id=certificate_id,
        staff_id=staff.staff_id,
        role=staff.role,
        track_version=staff.track.version,
        passed_at=passed,
        expires_at=expires,
        training=staff.state().record(),
    )


def _release(
    log: SampleLog,
    *,
    release_id: str,
    jurisdiction: str,
    tooling: list[str],
    evidence: list[Evidence],
    at: datetime,
    override: Override | None = None,
) -> None:
    """A release decided, delivered to the portal and acknowledged as unlocked."""
    release = {"release_id": release_id, "operator_id": OPERATOR, "jurisdiction": jurisdiction}
    reason = "manual_override" if override else "certification"
    log.add(
        ReleaseDecided(
            **release,
            tooling=tooling,
            reason=reason,
            evidence=evidence,
            override=override,
            epoch=1,
            decided_at=at,
        ),
        source=RELEASE_BRIDGE,
        at=at,
    )
    delivered = at + timedelta(seconds=1)
    log.add(
        ReleaseDelivered(
            **release,
            webhook_type="tooling.released.v1",
            status_code=204,
            attempts=1,
            delivered_at=delivered,
        ),
        source=RELEASE_BRIDGE,
        at=delivered,
    )
    log.add(
        ToolingUnlocked(
            **release,
            tooling=tooling,
            reason=reason,
            evidence=evidence,
            override=override,
            unlocked_at=delivered,
        ),
        source="/portal",
        at=delivered,
    )


def _day_one(log: SampleLog, day: date) -> None:
    log.add(
        OperatorJurisdictionsSet(
            operator_id=OPERATOR,
            jurisdictions=["MGA", "GSC"],
            actor="onboarding@vendor.example",
            reason="Go-live in Malta and the Isle of Man planned for December",
            set_at=_t(day, 8, 30),
        ),
        source=ASSESSMENT,
        at=_t(day, 8, 30),
    )
    for who in (log.maria, log.siobhan, log.tomas):
        log.add(
            StaffProvisioned(
                staff_id=who.staff_id,
                email=who.email,
                name=who.name,
                roles=[who.role],
                provisioned_at=_t(day, 8, 45),
            ),
            source=ASSESSMENT,
            at=_t(day, 8, 45),
        )
    lessons = [
        ("aml-risk-based-approach", _t(day, 10, 5)),
        ("aml-suspicious-activity", _t(day, 10, 40)),
    ]
    _module(log, log.maria, "core-aml", lessons)
    _module(log, log.maria, "mga-framework", [("mga-licence-conditions", _t(day, 11, 30))])
    _attempt(log, day, staff=log.maria, number=1, start=(14, 0), score=64, certificate=None)


def _day_two(log: SampleLog, day: date) -> None:
    maria, siobhan = log.maria, log.siobhan
    _attempt(
        log, day, staff=maria, number=2, start=(9, 10), score=88, certificate="cert-mga-0042-1"
    )
    passed = _t(day, 9, 41, 12)
    evidence = _certify(log, maria, passed=passed, code="AUR-MGA-7K2Q-94XD")
    _release(
        log,
        release_id="rel-aurora-mga-1",
        jurisdiction="MGA",
        tooling=["mga-licensing-suite", "mga-reporting"],
        evidence=[evidence],
        at=passed + timedelta(seconds=2),
    )
    _module(log, log.tomas, "core-aml", [("aml-risk-based-approach", _t(day, 11, 15))])
    _release(
        log,
        release_id="rel-aurora-gsc-1",
        jurisdiction="GSC",
        tooling=["gsc-licensing-suite"],
        evidence=[],
        at=_t(day, 12, 0),
        override=Override(
            actor="support.jane@vendor.example",
            reason="Regulator's on-site inspection needs the reporting tooling on 25 November "
            "(ticket 8790)",
        ),
    )
    _module(log, siobhan, "core-aml", [("aml-risk-based-approach", _t(day, 13, 10))])
    log.add(
        TrainingWaived(
            **siobhan.ids(),
            modules_waived=["mga-framework"],
            actor="support@vendor.example",
            reason="Completed the MGA framework course at her previous employer (ticket 8812)",
            waived_at=_t(day, 15, 5),
            training=siobhan.state(),
        ),
        source=ASSESSMENT,
        at=_t(day, 15, 5),
    )
    _attempt(
        log, day, staff=siobhan, number=1, start=(15, 20), score=92, certificate="cert-mga-0057-1"
    )
    _certify(log, siobhan, passed=_t(day, 15, 51, 12), code="AUR-MGA-3PLX-61RM")
    log.add(
        CertificationRevoked(
            certificate_id="cert-mga-0057-1",
            staff_id=siobhan.staff_id,
            role=siobhan.role,
            jurisdiction="MGA",
            actor="support.jane@vendor.example",
            reason="The waiver was granted in error: the previous course did not cover MGA rules",
            revoked_at=_t(day, 17, 30),
            training=siobhan.state(),
        ),
        source=ASSESSMENT,
        at=_t(day, 17, 30),
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
