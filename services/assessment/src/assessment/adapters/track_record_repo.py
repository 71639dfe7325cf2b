"""A staff member's records on one track key (completions, attempt scores, certificates) read
in one statement: each table's rows aggregated to a JSON array by a scalar subquery."""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy import JSON, ColumnElement, Table, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ScalarSelect

from assessment.adapters.orm import attempts, certificates, lesson_completions
from assessment.domain.certificates import Certificate
from assessment.domain.progress import LessonCompletion, TrackProgress
from assessment.domain.staff import StaffMember
from assessment.domain.training_state import AttemptScore, TrackRecords


def _rows_as_json(
    table: Table, names: Iterable[str], *, order_by: ColumnElement[Any] | None = None
) -> ScalarSelect[Any]:
    """The holder's rows of `table` on the track key as a JSON array of objects ('[]' if none)."""
    row = func.json_build_object(
        *chain.from_iterable((literal_column(f"'{name}'"), table.c[name]) for name in names)
    )
    rows = func.json_agg(row if order_by is None else aggregate_order_by(row, order_by))
    return (
        select(func.coalesce(rows, literal_column("'[]'::json"), type_=JSON))
        .where(
            table.c.operator_id == bindparam("operator_id"),
            table.c.staff_id == bindparam("staff_id"),
            table.c.track_key == bindparam("track_key"),
        )
        .scalar_subquery()
    )


def _decoder(table: Table, names: Iterable[str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Turns a JSON object of `_rows_as_json` back into column values (timestamps in UTC, as
    the driver returns them; JSON renders them in the session's time zone)."""
    stamps = frozenset(n for n in names if table.c[n].type.python_type is datetime)

    def decode(found: dict[str, Any]) -> dict[str, Any]:
        for name in stamps:
            if found[name] is not None:
                found[name] = datetime.fromisoformat(found[name]).astimezone(UTC)
        return found

    return decode


_COMPLETION = tuple(LessonCompletion.__dataclass_fields__)
_SCORE = tuple(AttemptScore.__dataclass_fields__)
_CERTIFICATE = tuple(Certificate.__dataclass_fields__)
_completion = _decoder(lesson_completions, _COMPLETION)
_certificate = _decoder(certificates, _CERTIFICATE)
#: Built once (cache key memoised), executed with a parameters dict.
_RECORDS = select(
    _rows_as_json(
        lesson_completions, _COMPLETION, order_by=lesson_completions.c.completed_at
    ).label("completions"),
    _rows_as_json(attempts, _SCORE).label("scores"),
    _rows_as_json(certificates, _CERTIFICATE, order_by=certificates.c.passed_at.desc()).label(
        "certificates"
    ),
)


class SqlTrackRecordStore:
    """Implements service.ports.TrackRecordStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, holder: StaffMember, track_key: str) -> TrackRecords:
        found = await self._session.execute(
            _RECORDS,
            {
                "operator_id": holder.operator_id,
                "staff_id": holder.staff_id,
                "track_key": track_key,
            },
        )
        row = found.one()
        return TrackRecords(
            holder=holder,
            progress=TrackProgress(
                staff_id=holder.staff_id,
                track_key=track_key,
                completions=tuple(LessonCompletion(**_completion(c)) for c in row.completions),
            ),
            attempts=[AttemptScore(**a) for a in row.scores],
            certificates=[Certificate(**_certificate(c)) for c in row.certificates],
        )
