"""Certificates: issued, superseded, revoked, and their expiry-notice flags."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.orm import certificates
from assessment.domain.certificates import Certificate

c = certificates.c
_FIELDS = tuple(Certificate.__dataclass_fields__)

#: Statements built once (cache key memoised), executed with a parameters dict.
_INSERT = (
    insert(certificates)
    .values({name: bindparam(name) for name in _FIELDS})
    .on_conflict_do_nothing(index_elements=[c.verification_code])
    .returning(c.certificate_id)
)
_holder_query = select(certificates).where(
    c.operator_id == bindparam("operator_id"), c.staff_id == bindparam("staff_id")
)
_newest_first = c.passed_at.desc()
#: By whether a track key narrows them: a holder's certificates, newest pass first.
_OF_HOLDER = {
    False: _holder_query.order_by(_newest_first),
    True: _holder_query.where(c.track_key == bindparam("track_key")).order_by(_newest_first),
}


def _certificate(row: Any) -> Certificate:
    return Certificate(**{name: getattr(row, name) for name in _FIELDS})


def _notices_due_query(*, now: datetime, limit: int) -> Select[Any]:
    # Matches the partial index; `due_notices` re-checks each certificate in the domain.
    open_for_notices = and_(
        c.expired_notice_sent_at.is_(None), c.revoked_at.is_(None), c.superseded_at.is_(None)
    )
    expiring_due = and_(
        c.expiring_notice_sent_at.is_(None),
        func.greatest(c.recert_window_opens_at, c.passed_at) <= now,
    )
    return (
        select(certificates)
        .where(open_for_notices, or_(expiring_due, c.expires_at <= now))
        .order_by(c.recert_window_opens_at, c.certificate_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


class SqlCertificateStore:
    """Implements service.ports.CertificateStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def insert(self, certificate: Certificate) -> bool:
        """False when the verification code is taken (nothing stored); one statement."""
        inserted = await self._session.execute(
            _INSERT, {name: getattr(certificate, name) for name in _FIELDS}
        )
        return inserted.first() is not None

    async def save(self, certificate: Certificate, columns: Sequence[str]) -> None:
        """Write only `columns`, so concurrent changes to the others (say, notice flags) survive."""
        values = {name: getattr(certificate, name) for name in columns}
        await self._session.execute(
            update(certificates)
            .where(c.certificate_id == certificate.certificate_id)
            .values(values)
        )

    async def get(
        self, operator_id: str, certificate_id: str, *, lock: bool = False
    ) -> Certificate | None:
        query = select(certificates).where(
            c.certificate_id == certificate_id, c.operator_id == operator_id
        )
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return None if row is None else _certificate(row)

    async def by_code(self, code: str) -> Certificate | None:
        row = (
            await self._session.execute(select(certificates).where(c.verification_code == code))
        ).first()
        return None if row is None else _certificate(row)

    async def of_holder(
        self, operator_id: str, staff_id: str, *, track_key: str | None = None
    ) -> Sequence[Certificate]:
        rows = await self._session.execute(
            _OF_HOLDER[track_key is not None],
            {"operator_id": operator_id, "staff_id": staff_id, "track_key": track_key},
        )
        return [_certificate(row) for row in rows]

    async def of_operator(
        self, operator_id: str, *, jurisdiction: str | None = None
    ) -> Sequence[Certificate]:
        query = select(certificates).where(c.operator_id == operator_id)
        if jurisdiction is not None:
            query = query.where(c.jurisdiction == jurisdiction)
        rows = await self._session.execute(query.order_by(c.expires_at, c.certificate_id))
        return [_certificate(row) for row in rows]

    async def notices_due(self, *, now: datetime, limit: int) -> list[Certificate]:
        """Certificates with a notice due and not yet sent, locked so one replica sends each."""
        rows = await self._session.execute(_notices_due_query(now=now, limit=limit))
        return [_certificate(row) for row in rows]
