"""In-memory implementations of assessment's ports, for unit tests of the real handlers."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import count
from typing import Any

from academy_testkit.events import RecordingEvents
from assessment.domain.attempts import Attempt, ExamHistory
from assessment.domain.certificates import Certificate
from assessment.domain.progress import LessonCompletion, TrackProgress
from assessment.domain.staff import StaffMember
from assessment.domain.training_state import AttemptScore, TrackRecords
from assessment.service.ports import AttemptRecord, LockedAttempt, OverdueAttempt
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished
from contracts.common import ReleasePolicy


@dataclass
class FakeAttempts:
    records: dict[str, AttemptRecord] = field(default_factory=dict)
    resets: list[tuple[str, str, str, datetime]] = field(default_factory=list)  # op, staff, key
    staff: "FakeStaff | None" = None  # the holders, for `lock_with_holder`

    async def history(self, operator_id: str, staff_id: str, track_key: str) -> ExamHistory:
        mine = [
            a
            for a in await self.of_staff(operator_id, staff_id, track_key=track_key)
            if a.track_key == track_key
        ]
        resets = sorted(
            at
            for op, sid, key, at in self.resets
            if (op, sid, key) == (operator_id, staff_id, track_key)
        )
        return ExamHistory(
            staff_id=staff_id, track_key=track_key, attempts=tuple(mine), resets=tuple(resets)
        )

    async def get(
        self, operator_id: str, staff_id: str, attempt_id: str, *, lock: bool = False
    ) -> AttemptRecord | None:
        record = self.records.get(attempt_id)
        if record is None or (record.attempt.operator_id, record.attempt.staff_id) != (
            operator_id,
            staff_id,
        ):
            return None
        return record

    async def of_staff(
        self, operator_id: str, staff_id: str, *, track_key: str | None = None
    ) -> Sequence[Attempt]:
        found = [
            r.attempt
            for r in self.records.values()
            if (r.attempt.operator_id, r.attempt.staff_id) == (operator_id, staff_id)
            and track_key in (None, r.attempt.track_key)
        ]
        return sorted(found, key=lambda a: a.started_at, reverse=True)

    async def lock_with_holder(
        self, operator_id: str, staff_id: str, attempt_id: str
    ) -> LockedAttempt | None:
        assert self.staff is not None, "FakeUnit links the staff"
        holder = self.staff.members.get((operator_id, staff_id))
        record = await self.get(operator_id, staff_id, attempt_id)
        if holder is None or record is None:
            return None
        self.staff.locked.append(staff_id)
        return LockedAttempt(holder, record)

    async def insert(self, attempt: Attempt) -> None:
        assert attempt.attempt_id not in self.records, f"attempt {attempt.attempt_id} exists"
        self.records[attempt.attempt_id] = AttemptRecord(attempt)

    async def close(
        self,
        attempt: Attempt,
        *,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        outcome: dict[str, Any] | None = None,
    ) -> bool:
        stored = self.records[attempt.attempt_id]
        if stored.attempt.status != "open":
            return False
        self.records[attempt.attempt_id] = AttemptRecord(
            attempt, idempotency_key=idempotency_key, request_hash=request_hash, outcome=outcome
        )
        return True

    async def add_reset(
        self, holder: StaffMember, *, track_key: str, actor: str, reason: str, at: datetime
    ) -> None:
        self.resets.append((holder.operator_id, holder.staff_id, track_key, at))

    async def overdue(self, *, cutoff: datetime, limit: int) -> list[OverdueAttempt]:
        raise NotImplementedError("the scheduler's sweep is tested against Postgres")


@dataclass
class FakeCertificates:
    stored: dict[str, Certificate] = field(default_factory=dict)

    async def insert(self, certificate: Certificate) -> bool:
        assert certificate.certificate_id not in self.stored
        if await self.by_code(certificate.verification_code) is not None:
            return False
        self.stored[certificate.certificate_id] = certificate
        return True

    async def save(self, certificate: Certificate, columns: Sequence[str]) -> None:
        current = self.stored[certificate.certificate_id]
        changed = {name: getattr(certificate, name) for name in columns}
        self.stored[certificate.certificate_id] = replace(current, **changed)

    async def get(
        self, operator_id: str, certificate_id: str, *, lock: bool = False
    ) -> Certificate | None:
        found = self.stored.get(certificate_id)
        return found if found is not None and found.operator_id == operator_id else None

    async def by_code(self, code: str) -> Certificate | None:
        return next((c for c in self.stored.values() if c.verification_code == code), None)

    async def of_holder(
        self, operator_id: str, staff_id: str, *, track_key: str | None = None
    ) -> Sequence[Certificate]:
        found = [
            c
            for c in self.stored.values()
            if (c.operator_id, c.staff_id) == (operator_id, staff_id)
            and track_key in (None, c.track_key)
        ]
        return sorted(found, key=lambda c: c.passed_at, reverse=True)

    async def of_operator(
        self, operator_id: str, *, jurisdiction: str | None = None
    ) -> Sequence[Certificate]:
        found = [
            c
            for c in self.stored.values()
            if c.operator_id == operator_id and jurisdiction in (None, c.jurisdiction)
        ]
        return sorted(found, key=lambda c: (c.expires_at, c.certificate_id))

    async def notices_due(self, *, now: datetime, limit: int) -> list[Certificate]:
        raise NotImplementedError("the notice sweep is tested against Postgres")


@dataclass
class FakeProgress:
    completions: dict[tuple[str, str, str], list[LessonCompletion]] = field(default_factory=dict)

    async def load(self, operator_id: str, staff_id: str, track_key: str) -> TrackProgress:
        done = self.completions.get((operator_id, staff_id, track_key), [])
        return TrackProgress(staff_id=staff_id, track_key=track_key, completions=tuple(done))

    async def of_operator(
        self, operator_id: str, *, staff_id: str | None = None
    ) -> list[TrackProgress]:
        return [
            TrackProgress(staff_id=sid, track_key=key, completions=tuple(done))
            for (op, sid, key), done in self.completions.items()
            if op == operator_id and staff_id in (None, sid)
        ]

    async def add(
        self, *, operator_id: str, staff_id: str, track_key: str, completion: LessonCompletion
    ) -> bool:
        done = self.completions.setdefault((operator_id, staff_id, track_key), [])
        same = (completion.module_id, completion.lesson_id, completion.lesson_version)
        if any((c.module_id, c.lesson_id, c.lesson_version) == same for c in done):
            return False
        done.append(completion)
        return True


@dataclass
class FakeStaff:
    members: dict[tuple[str, str], StaffMember] = field(default_factory=dict)
    locked: list[str] = field(default_factory=list)

    async def get(
        self, operator_id: str, staff_id: str, *, lock: bool = False
    ) -> StaffMember | None:
        if lock:
            self.locked.append(staff_id)
        return self.members.get((operator_id, staff_id))

    async def insert_if_absent(self, member: StaffMember, *, now: datetime) -> bool:
        key = (member.operator_id, member.staff_id)
        if key in self.members:
            return False
        self.members[key] = member
        return True

    async def update_identity(self, member: StaffMember, *, now: datetime) -> None:
        self.members[(member.operator_id, member.staff_id)] = member

    async def of_operator(self, operator_id: str) -> Sequence[StaffMember]:
        found = [m for (op, _), m in self.members.items() if op == operator_id]
        return sorted(found, key=lambda m: m.name)


@dataclass
class FakeTrackRecords:
    """The holder's records read from the other fakes of the unit."""

    progress: FakeProgress
    attempts: FakeAttempts
    certificates: FakeCertificates

    async def load(self, holder: StaffMember, track_key: str) -> TrackRecords:
        key = (holder.operator_id, holder.staff_id)
        found = await self.attempts.of_staff(*key, track_key=track_key)
        return TrackRecords(
            holder=holder,
            progress=await self.progress.load(*key, track_key),
            attempts=[
                AttemptScore(a.attempt_id, a.staff_id, a.track_key, a.score, a.result)
                for a in found
            ],
            certificates=await self.certificates.of_holder(*key, track_key=track_key),
        )


@dataclass
class FakeWaivers:
    granted: list[tuple[str, str, str, str, tuple[str, ...]]] = field(default_factory=list)

    async def add(
        self,
        holder: StaffMember,
        *,
        track_key: str,
        track_version: str,
        modules_waived: Sequence[str],
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        self.granted.append(
            (holder.operator_id, holder.staff_id, track_key, track_version, tuple(modules_waived))
        )

    async def waived(
        self, operator_id: str, staff_id: str, track_key: str, track_version: str
    ) -> bool:
        wanted = (operator_id, staff_id, track_key, track_version)
        return any(grant[:4] == wanted for grant in self.granted)


@dataclass
class FakeOperators:
    go_lives: dict[str, list[str]] = field(default_factory=dict)
    staff: FakeStaff | None = None  # an operator whose staff signed in is known

    async def go_live(self, operator_id: str, *, lock: bool = False) -> list[str] | None:
        return self.go_lives.get(operator_id)

    async def save_go_live(
        self, operator_id: str, jurisdictions: list[str], *, actor: str, now: datetime
    ) -> None:
        self.go_lives[operator_id] = list(jurisdictions)

    async def is_known(self, operator_id: str) -> bool:
        return operator_id in await self.known_ids()

    async def known_ids(self) -> list[str]:
        signed_in = {op for op, _ in self.staff.members} if self.staff is not None else set()
        return sorted(set(self.go_lives) | signed_in)


@dataclass
class FakeTracks:
    """Published track versions in publication order (the last one of a key is current)."""

    published: list[TrackPublished] = field(default_factory=list)
    policies_by_jurisdiction: dict[str, ReleasePolicy] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)

    async def save_track(self, track: TrackPublished, event_id: str) -> bool:
        if await self.version(track.track_key, track.version) is not None:
            return False
        self.published.append(track)
        return True

    async def save_policy(self, event: ReleasePolicyPublished) -> bool:
        self.policies_by_jurisdiction[event.policy.jurisdiction] = event.policy
        return True

    async def save_jurisdiction(self, event: JurisdictionAdded) -> None:
        self.names[event.jurisdiction] = (event.name, event.regulator)

    async def version(self, track_key: str, version: str) -> TrackPublished | None:
        return next(
            (t for t in self.published if (t.track_key, t.version) == (track_key, version)), None
        )

    async def current(self, track_key: str) -> TrackPublished | None:
        return next((t for t in reversed(self.published) if t.track_key == track_key), None)

    async def current_in(self, jurisdiction_codes: Collection[str]) -> list[TrackPublished]:
        keys = sorted({t.track_key for t in self.published if t.jurisdiction in jurisdiction_codes})
        return [t for key in keys if (t := await self.current(key)) is not None]

    async def published_jurisdictions(self) -> list[str]:
        return sorted({t.jurisdiction for t in self.published})

    async def policies(self, jurisdiction_codes: Collection[str]) -> dict[str, ReleasePolicy]:
        return {
            code: policy
            for code, policy in self.policies_by_jurisdiction.items()
            if code in jurisdiction_codes
        }

    async def jurisdiction_names(self, codes: Collection[str]) -> dict[str, tuple[str, str]]:
        return {code: name for code, name in self.names.items() if code in codes}


@dataclass
class FakeUnit:
    """Implements service.ports.AssessmentUnit in memory; one per test, shared across calls."""

    attempts: FakeAttempts = field(default_factory=FakeAttempts)
    certificates: FakeCertificates = field(default_factory=FakeCertificates)
    progress: FakeProgress = field(default_factory=FakeProgress)
    staff: FakeStaff = field(default_factory=FakeStaff)
    waivers: FakeWaivers = field(default_factory=FakeWaivers)
    operators: FakeOperators = field(default_factory=FakeOperators)
    tracks: FakeTracks = field(default_factory=FakeTracks)
    events: RecordingEvents = field(default_factory=RecordingEvents)

    def __post_init__(self) -> None:
        self.operators.staff = self.staff
        self.attempts.staff = self.staff

    @property
    def records(self) -> FakeTrackRecords:
        return FakeTrackRecords(self.progress, self.attempts, self.certificates)


@dataclass
class CountingIds:
    """Predictable ids, seeds and entropy (implements service.ports.IdSource)."""

    prefix: str = "id"
    seed: int = 7
    _next: "count[int]" = field(default_factory=lambda: count(1))

    def new_id(self) -> str:
        return f"{self.prefix}-{next(self._next)}"

    def new_seed(self) -> int:
        return self.seed

    def entropy(self, size: int) -> bytes:
        return bytes((next(self._next) + i) % 256 for i in range(size))
