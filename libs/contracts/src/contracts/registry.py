"""Every event type, looked up by its CloudEvents `type`."""

from contracts import assessment, audit, catalogue, operations, portal, release
from contracts.base import EventData

EVENT_MODELS: tuple[type[EventData], ...] = (
    catalogue.TrackPublished,
    catalogue.JurisdictionAdded,
    catalogue.ReleasePolicyPublished,
    assessment.OperatorJurisdictionsSet,
    assessment.StaffProvisioned,
    assessment.LessonOpened,
    assessment.LessonCompleted,
    assessment.ModuleCompleted,
    assessment.AttemptStarted,
    assessment.AttemptSubmitted,
    assessment.CertificationIssued,
    assessment.CertificationExpiring,
    assessment.CertificationExpired,
    assessment.CertificationRevoked,
    assessment.AttemptsReset,
    assessment.TrainingWaived,
    release.ReleaseDecided,
    release.ReleaseDelivered,
    release.ReleaseParked,
    release.ToolingRevocationDecided,
    release.BreakerTransitioned,
    release.SupportActionRecorded,
    audit.AuditPackExported,
    audit.AuditExportFailed,
    portal.ToolingUnlocked,
    portal.ToolingLocked,
    portal.NoticeReceived,
    operations.DeadLetterHandled,
)

BY_TYPE: dict[str, type[EventData]] = {model.ce_type: model for model in EVENT_MODELS}


def model_for(ce_type: str) -> type[EventData] | None:
    return BY_TYPE.get(ce_type)
