"""Read-only queries for the support API (deliveries with their attempt ledger, breakers)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from release_bridge.adapters.orm import breakers, deliveries, delivery_attempts

_LISTED = [c for c in deliveries.c if c.name not in {"body", "claim_id", "seq"}]


def _jsonable(row: Any) -> dict[str, Any]:
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in row._asdict().items()
    }


async def list_deliveries(
    session: AsyncSession,
    *,
    endpoint: str,
    status: str | None,
    operator_id: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    query = select(*_LISTED).where(deliveries.c.endpoint == endpoint)
    if status is not None:
        query = query.where(deliveries.c.status == status)
    if operator_id is not None:
        query = query.where(deliveries.c.operator_id == operator_id)
    rows = (await session.execute(query.order_by(deliveries.c.seq.desc()).limit(limit))).all()
    return [_jsonable(row) for row in rows]


async def delivery_with_attempts(session: AsyncSession, webhook_id: str) -> dict[str, Any] | None:
    row = (
        await session.execute(select(*_LISTED).where(deliveries.c.webhook_id == webhook_id))
    ).first()
    if row is None:
        return None
    a = delivery_attempts
    attempts = (
        await session.execute(
            select(*(a.c[name] for name in _ATTEMPT_COLUMNS))
            .where(a.c.webhook_id == webhook_id)
            .order_by(a.c.id)
        )
    ).all()
    body = await session.scalar(
        select(deliveries.c.body).where(deliveries.c.webhook_id == webhook_id)
    )
    return {
        **_jsonable(row),
        "body": bytes(body or b"").decode("utf-8", errors="replace"),
        "attempts": [_jsonable(attempt) for attempt in attempts],
    }


_ATTEMPT_COLUMNS = (
    "attempt",
    "replica",
    "started_at",
    "finished_at",
    "status_code",
    "latency_ms",
    "verdict",
    "error_kind",
    "error",
    "response_excerpt",
    "next_step",
)


async def breaker_states(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (await session.execute(select(breakers).order_by(breakers.c.endpoint))).all()
    return [
        {
            "endpoint": row.endpoint,
            "status": row.status,
            **row.state,
            "updated_at": str(row.updated_at),
        }
        for row in rows
    ]


class SqlSupportReads:
    """The support API's read models bound to a unit's session (`unit.reads`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def deliveries(
        self, *, endpoint: str, status: str | None, operator_id: str | None, limit: int
    ) -> list[dict[str, Any]]:
        return await list_deliveries(
            self._session, endpoint=endpoint, status=status, operator_id=operator_id, limit=limit
        )

    async def delivery(self, webhook_id: str) -> dict[str, Any] | None:
        return await delivery_with_attempts(self._session, webhook_id)

    async def breakers(self) -> list[dict[str, Any]]:
        return await breaker_states(self._session)
