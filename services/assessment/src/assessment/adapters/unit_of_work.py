"""Assessment's unit of work: every store bound to the runtime's session and outbox sink."""

from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.service import ServiceRuntime
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from assessment.adapters.attempt_repo import SqlAttemptStore
from assessment.adapters.certificate_repo import SqlCertificateStore
from assessment.adapters.operator_repo import SqlOperatorStore
from assessment.adapters.progress_repo import SqlProgressStore
from assessment.adapters.staff_repo import SqlStaffStore
from assessment.adapters.track_record_repo import SqlTrackRecordStore
from assessment.adapters.track_store import SqlTracks, TrackStore
from assessment.adapters.waiver_repo import SqlWaiverStore
from assessment.service.ports import (
    AttemptStore,
    CertificateStore,
    OperatorStore,
    ProgressStore,
    StaffStore,
    TrackRecordStore,
    Tracks,
    WaiverStore,
)

#: One parsed-track cache per runtime (versions are immutable), shared by all its units.
_track_stores: "WeakKeyDictionary[ServiceRuntime, TrackStore]" = WeakKeyDictionary()


def track_store(runtime: ServiceRuntime) -> TrackStore:
    """The runtime's track store (created on first use)."""
    store = _track_stores.get(runtime)
    if store is None:
        store = _track_stores[runtime] = TrackStore()
    return store


class SqlAssessmentUnit(UnitOfWork):
    """Implements service.ports.AssessmentUnit over one session (the runtime owns the
    transaction)."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        super().__init__(runtime, session)
        self.attempts: AttemptStore = SqlAttemptStore(session)
        self.certificates: CertificateStore = SqlCertificateStore(session)
        self.progress: ProgressStore = SqlProgressStore(session)
        self.staff: StaffStore = SqlStaffStore(session)
        self.records: TrackRecordStore = SqlTrackRecordStore(session)
        self.waivers: WaiverStore = SqlWaiverStore(session)
        self.operators: OperatorStore = SqlOperatorStore(session)
        self.tracks: Tracks = SqlTracks(track_store(runtime), session)


def assessment_units(runtime: ServiceRuntime) -> UnitsOfWork[SqlAssessmentUnit]:
    """Opens assessment units for the consumer and workers (routes use `unit_of_work`)."""
    return UnitsOfWork(runtime, SqlAssessmentUnit)
