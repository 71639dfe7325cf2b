"""Lesson completions per staff member and track key."""

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.orm import lesson_completions as lc
from assessment.domain.progress import LessonCompletion, TrackProgress

#: Built once (cache key memoised), executed with a parameters dict.
_TRACK_PROGRESS = (
    select(lc)
    .where(lc.c.operator_id == bindparam("operator_id"), lc.c.staff_id == bindparam("staff_id"))
    .where(lc.c.track_key == bindparam("track_key"))
    .order_by(lc.c.completed_at)
)


def _completion(row: Any) -> LessonCompletion:
    return LessonCompletion(
        module_id=row.module_id,
        lesson_id=row.lesson_id,
        lesson_version=row.lesson_version,
        track_version=row.track_version,
        completed_at=row.completed_at,
    )


class SqlProgressStore:
    """Implements service.ports.ProgressStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, operator_id: str, staff_id: str, track_key: str) -> TrackProgress:
        rows = await self._session.execute(
            _TRACK_PROGRESS,
            {"operator_id": operator_id, "staff_id": staff_id, "track_key": track_key},
        )
        return TrackProgress(
            staff_id=staff_id,
            track_key=track_key,
            completions=tuple(_completion(row) for row in rows),
        )

    async def of_operator(
        self, operator_id: str, *, staff_id: str | None = None
    ) -> list[TrackProgress]:
        """Progress of every staff member (or one) of an operator, per track key."""
        query = select(lc).where(lc.c.operator_id == operator_id)
        if staff_id is not None:
            query = query.where(lc.c.staff_id == staff_id)
        grouped: dict[tuple[str, str], list[LessonCompletion]] = defaultdict(list)
        for row in await self._session.execute(query.order_by(lc.c.completed_at)):
            grouped[(row.staff_id, row.track_key)].append(_completion(row))
        return [
            TrackProgress(staff_id=sid, track_key=key, completions=tuple(items))
            for (sid, key), items in grouped.items()
        ]

    async def add(
        self,
        *,
        operator_id: str,
        staff_id: str,
        track_key: str,
        completion: LessonCompletion,
    ) -> bool:
        inserted = await self._session.execute(
            insert(lc)
            .values(
                operator_id=operator_id,
                staff_id=staff_id,
                track_key=track_key,
                module_id=completion.module_id,
                lesson_id=completion.lesson_id,
                lesson_version=completion.lesson_version,
                track_version=completion.track_version,
                completed_at=completion.completed_at,
            )
            .on_conflict_do_nothing()
            .returning(lc.c.lesson_id)
        )
        return inserted.first() is not None
