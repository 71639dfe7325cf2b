"""Events on `academy.audit.v1`: export runs of audit packs."""

from datetime import date

from contracts import topics
from contracts.base import EventData, UtcDatetime
from contracts.identifiers import OperatorId


class AuditPackExported(EventData):
    ce_type = "academy.auditpack.exported.v1"
    topic = topics.AUDIT

    operator_id: OperatorId
    day: date
    pack_seq: int
    manifest_sha256: str
    tree_size: int
    root: str
    remote_path: str
    exported_at: UtcDatetime
    # Additive (optional) fields: what was delivered, and after how many tries.
    zip_sha256: str | None = None
    zip_bytes: int | None = None
    attempts: int | None = None


class AuditExportFailed(EventData):
    ce_type = "academy.auditpack.export_failed.v1"
    topic = topics.AUDIT

    operator_id: OperatorId
    day: date
    attempt: int
    error: str
    failed_at: UtcDatetime
    # Additive (optional) fields: a stable failure label and when the next try is due.
    reason: str | None = None
    next_attempt_at: UtcDatetime | None = None
