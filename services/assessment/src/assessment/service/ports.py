"""What the handlers need from the outside world, as Protocols (SQL adapters; fakes in tests):
the stores of one unit of work, its event sink, time, identifiers and randomness."""

import secrets
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from academy_runtime import uow
from academy_runtime.uow import EventSink
from assessment.domain.attempts import Attempt, ExamHistory
from assessment.domain.certificates import Certificate
from assessment.domain.progress import LessonCompletion, TrackProgress
from assessment.domain.staff import StaffMember
from assessment.domain.training_state import TrackRecords
from contracts.base import EventData
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished
from contracts.common import ReleasePolicy

__all__ = [
    "NOTICES",
    "REVOCATION",
    "SUPERSESSION",
    "AssessmentUnit",
    "AttemptRecord",
    "AttemptStore",
    "CertificateStore",
    "EventSink",
    "IdSource",
    "LockedAttempt",
    "OperatorStore",
    "OverdueAttempt",
    "ProgressStore",
    "StaffStore",
    "SystemIds",
    "TrackRecordStore",
    "Tracks",
    "WaiverStore",
    "stage",
]


class IdSource(Protocol):
    """Fresh identifiers, exam seeds and verification-code entropy."""

    def new_id(self) -> str: ...

    def new_seed(self) -> int: ...

    def entropy(self, size: int) -> bytes: ...


class SystemIds:
    """UUIDs and cryptographic randomness: seeds are unpredictable to staff."""

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def new_seed(self) -> int:
        return secrets.randbits(53)  # JSON-safe (RFC 8785 / I-JSON): audit records carry it

    def entropy(self, size: int) -> bytes:
        return secrets.token_bytes(size)


async def stage(events: EventSink, *data: EventData, tenant: str, subject: str | None) -> None:
    """Stage event data in the unit's outbox in order (CloudEvents, key = tenant)."""
    for item in data:
        await events.emit(item, tenant=tenant, subject=subject)


#: Certificate columns that change after issue, by what changes them (`CertificateStore.save`).
SUPERSESSION = ("superseded_by", "superseded_at")
REVOCATION = ("revoked_at", "revoked_by", "revocation_reason")
NOTICES = ("expiring_notice_sent_at", "expired_notice_sent_at")


@dataclass(frozen=True)
class AttemptRecord:
    """An attempt plus what the service keeps about its submission."""

    attempt: Attempt
    idempotency_key: str | None = None
    request_hash: str | None = None
    outcome: dict[str, Any] | None = None


@dataclass(frozen=True)
class LockedAttempt:
    """An attempt and its holder as stored, both rows locked for the transaction."""

    holder: StaffMember
    record: AttemptRecord


@dataclass(frozen=True)
class OverdueAttempt:
    """An open attempt past its cutoff, with its holder's name and email (for the event)."""

    attempt: Attempt
    holder_name: str
    holder_email: str


class AttemptStore(Protocol):
    """Exam attempts (with their frozen exam snapshot) and support resets."""

    async def history(self, operator_id: str, staff_id: str, track_key: str) -> ExamHistory: ...

    async def get(
        self, operator_id: str, staff_id: str, attempt_id: str, *, lock: bool = False
    ) -> AttemptRecord | None:
        """An attempt of this staff member (never someone else's)."""
        ...

    async def lock_with_holder(
        self, operator_id: str, staff_id: str, attempt_id: str
    ) -> LockedAttempt | None:
        """The attempt of this staff member and the member, locked (the staff row first) in one
        statement; None when either is not stored (nothing locked)."""
        ...

    async def of_staff(
        self, operator_id: str, staff_id: str, *, track_key: str | None = None
    ) -> Sequence[Attempt]:
        """Newest first."""
        ...

    async def insert(self, attempt: Attempt) -> None: ...

    async def close(
        self,
        attempt: Attempt,
        *,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        outcome: dict[str, Any] | None = None,
    ) -> bool:
        """Persist a graded or timed-out attempt; False if it was no longer open."""
        ...

    async def add_reset(
        self, holder: StaffMember, *, track_key: str, actor: str, reason: str, at: datetime
    ) -> None: ...

    async def overdue(self, *, cutoff: datetime, limit: int) -> list[OverdueAttempt]:
        """Open attempts with a deadline before `cutoff`, locked (skipping locked ones)."""
        ...


class CertificateStore(Protocol):
    """Certificates: issued, superseded, revoked, and their expiry-notice flags."""

    async def insert(self, certificate: Certificate) -> bool:
        """False when its verification code is already taken (nothing stored)."""
        ...

    async def save(self, certificate: Certificate, columns: Sequence[str]) -> None:
        """Write only `columns`, so concurrent changes to the others survive."""
        ...

    async def get(
        self, operator_id: str, certificate_id: str, *, lock: bool = False
    ) -> Certificate | None: ...

    async def by_code(self, code: str) -> Certificate | None: ...

    async def of_holder(
        self, operator_id: str, staff_id: str, *, track_key: str | None = None
    ) -> Sequence[Certificate]:
        """Newest pass first."""
        ...

    async def of_operator(
        self, operator_id: str, *, jurisdiction: str | None = None
    ) -> Sequence[Certificate]:
        """Soonest expiry first."""
        ...

    async def notices_due(self, *, now: datetime, limit: int) -> list[Certificate]:
        """Certificates with a notice due and not yet sent, locked (skipping locked ones)."""
        ...


class ProgressStore(Protocol):
    """Lesson completions per staff member and track key."""

    async def load(self, operator_id: str, staff_id: str, track_key: str) -> TrackProgress: ...

    async def of_operator(
        self, operator_id: str, *, staff_id: str | None = None
    ) -> list[TrackProgress]: ...

    async def add(
        self, *, operator_id: str, staff_id: str, track_key: str, completion: LessonCompletion
    ) -> bool:
        """False when the lesson was already completed (nothing stored)."""
        ...


class StaffStore(Protocol):
    """Staff provisioned from token claims; locking a member serialises changes to its records."""

    async def get(
        self, operator_id: str, staff_id: str, *, lock: bool = False
    ) -> StaffMember | None: ...

    async def insert_if_absent(self, member: StaffMember, *, now: datetime) -> bool: ...

    async def update_identity(self, member: StaffMember, *, now: datetime) -> None: ...

    async def of_operator(self, operator_id: str) -> Sequence[StaffMember]:
        """Ordered by name."""
        ...


class TrackRecordStore(Protocol):
    """What a staff member's training state is built from, read together."""

    async def load(self, holder: StaffMember, track_key: str) -> TrackRecords:
        """The holder's completions, attempt scores (no exam papers) and certificates (newest
        pass first) on the track key, in one read."""
        ...


class WaiverStore(Protocol):
    """Training waivers granted by support, per staff member and track version."""

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
    ) -> None: ...

    async def waived(
        self, operator_id: str, staff_id: str, track_key: str, track_version: str
    ) -> bool: ...


class OperatorStore(Protocol):
    """Operators as assessment knows them: go-live sets and staff who signed in."""

    async def go_live(self, operator_id: str, *, lock: bool = False) -> list[str] | None:
        """The operator's go-live jurisdictions; None when none were ever set."""
        ...

    async def save_go_live(
        self, operator_id: str, jurisdictions: list[str], *, actor: str, now: datetime
    ) -> None: ...

    async def is_known(self, operator_id: str) -> bool: ...

    async def known_ids(self) -> list[str]:
        """Sorted."""
        ...


class Tracks(Protocol):
    """Track versions, release policies and jurisdictions learned from the catalogue."""

    async def save_track(self, track: TrackPublished, event_id: str) -> bool:
        """False when this version was already stored (versions are immutable)."""
        ...

    async def save_policy(self, event: ReleasePolicyPublished) -> bool: ...

    async def save_jurisdiction(self, event: JurisdictionAdded) -> None: ...

    async def version(self, track_key: str, version: str) -> TrackPublished | None: ...

    async def current(self, track_key: str) -> TrackPublished | None:
        """The version published last."""
        ...

    async def current_in(self, jurisdiction_codes: Collection[str]) -> list[TrackPublished]:
        """Current version of every track of these jurisdictions, by track key."""
        ...

    async def published_jurisdictions(self) -> list[str]: ...

    async def policies(self, jurisdiction_codes: Collection[str]) -> dict[str, ReleasePolicy]: ...

    async def jurisdiction_names(self, codes: Collection[str]) -> dict[str, tuple[str, str]]:
        """(name, regulator) per known jurisdiction code."""
        ...


class AssessmentUnit(Protocol):
    """Everything one transaction offers; opened by entrypoints, built by the adapters.

    Read-only members, so a fake unit may hold fake stores (a settable member is invariant).
    """

    @property
    def attempts(self) -> AttemptStore: ...

    @property
    def certificates(self) -> CertificateStore: ...

    @property
    def progress(self) -> ProgressStore: ...

    @property
    def staff(self) -> StaffStore: ...

    @property
    def records(self) -> TrackRecordStore: ...

    @property
    def waivers(self) -> WaiverStore: ...

    @property
    def operators(self) -> OperatorStore: ...

    @property
    def tracks(self) -> Tracks: ...

    @property
    def events(self) -> uow.EventSink: ...
