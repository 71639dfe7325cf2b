"""Certificates: issued, superseded, revoked, and their expiry-notice flags."""

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.orm import certificates
from assessment.domain.certificates import Certificate

c = certificates.c


def _certificate(row: Any) -> Certificate:
    return Certificate(**{name: getattr(row, name) for name in Certificate.__dataclass_fields__})


async def insert(session: AsyncSession, certificate: Certificate) -> None:
    await session.execute(certificates.insert().values(**asdict(certificate)))


async def save(session: AsyncSession, certificate: Certificate, columns: Sequence[str]) -> None:
    """Write only `columns`, so concurrent changes to the others (say, notice flags) survive."""
    values = {name: getattr(certificate, name) for name in columns}
    await session.execute(
        update(certificates).where(c.certificate_id == certificate.certificate_id).values(values)
    )


async def get(
    session: AsyncSession, operator_id: str, certificate_id: str, *, lock: bool = False
) -> Certificate | None:
    query = select(certificates).where(
        c.certificate_id == certificate_id, c.operator_id == operator_id
    )
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else _certificate(row)


async def by_code(session: AsyncSession, code: str) -> Certificate | None:
    row = (await session.execute(select(certificates).where(c.verification_code == code))).first()
    return None if row is None else _certificate(row)


async def code_taken(session: AsyncSession, code: str) -> bool:
    found = await session.scalar(select(func.count()).where(c.verification_code == code))
    return bool(found)


async def of_holder(
    session: AsyncSession, operator_id: str, staff_id: str, *, track_key: str | None = None
) -> Sequence[Certificate]:
    query = select(certificates).where(c.operator_id == operator_id, c.staff_id == staff_id)
    if track_key is not None:
        query = query.where(c.track_key == track_key)
    rows = await session.execute(query.order_by(c.passed_at.desc()))
    return [_certificate(row) for row in rows]


async def of_operator(
    session: AsyncSession, operator_id: str, *, jurisdiction: str | None = None
) -> Sequence[Certificate]:
    query = select(certificates).where(c.operator_id == operator_id)
    if jurisdiction is not None:
        query = query.where(c.jurisdiction == jurisdiction)
    rows = await session.execute(query.order_by(c.expires_at, c.certificate_id))
    return [_certificate(row) for row in rows]


async def notices_due(session: AsyncSession, *, now: datetime, limit: int) -> list[Certificate]:
    """Certificates with a notice due and not yet sent, locked so one replica sends each."""
    rows = await session.execute(_notices_due_query(now=now, limit=limit))
    return [_certificate(row) for row in rows]


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

    async def insert(self, certificate: Certificate) -> None:
        await insert(self._session, certificate)

    async def save(self, certificate: Certificate, columns: Sequence[str]) -> None:
        await save(self._session, certificate, columns)

    async def get(
        self, operator_id: str, certificate_id: str, *, lock: bool = False
    ) -> Certificate | None:
        return await get(self._session, operator_id, certificate_id, lock=lock)

    async def by_code(self, code: str) -> Certificate | None:
        return await by_code(self._session, code)

    async def code_taken(self, code: str) -> bool:
        return await code_taken(self._session, code)

    async def of_holder(
        self, operator_id: str, staff_id: str, *, track_key: str | None = None
    ) -> Sequence[Certificate]:
        return await of_holder(self._session, operator_id, staff_id, track_key=track_key)

    async def of_operator(
        self, operator_id: str, *, jurisdiction: str | None = None
    ) -> Sequence[Certificate]:
        return await of_operator(self._session, operator_id, jurisdiction=jurisdiction)

    async def notices_due(self, *, now: datetime, limit: int) -> list[Certificate]:
        return await notices_due(self._session, now=now, limit=limit)
