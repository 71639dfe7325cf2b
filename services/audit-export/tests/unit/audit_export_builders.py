"""Test-data builders for unit tests of the audit export's handlers."""

from datetime import UTC, datetime
from typing import Any

from contracts import Envelope
from contracts.assessment import LessonCompleted

T0 = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)
OPERATOR = "op-unit-1"


def lesson_envelope(operator_id: str = OPERATOR, *, at: datetime = T0) -> Envelope[Any]:
    """A lesson completed by staff-1 at `at`, as the operator's event."""
    data = LessonCompleted(
        staff_id="staff-1",
        jurisdiction="MGA",
        role="compliance_officer",
        track_version="mga-2031.1",
        module_id="core-aml",
        lesson_id="core-aml-1",
        completed_at=at,
    )
    return Envelope(data=data, tenantid=operator_id, source="/academy/test", time=at)
