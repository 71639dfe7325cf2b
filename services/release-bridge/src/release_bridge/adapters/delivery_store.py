"""Deliveries and the attempt ledger in Postgres (DeliveryStore)."""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, all_, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from release_bridge.adapters.delivery_claims import SqlDeliveryClaims
from release_bridge.adapters.delivery_queue import SqlDeliveryQueue
from release_bridge.adapters.orm import deliveries, delivery_attempts
from release_bridge.domain.reconcile import DueRelease
from release_bridge.service.ports import (
    RELEASE_TYPE,
    STATUSES,
    DeliveryRecord,
    DeliveryStatus,
    FinishedAttempt,
)

EXCERPT_CHARS = 512
#: What `save` writes: everything but the webhook's identity.
_SAVED = tuple(
    name
    for name in DeliveryRecord.__dataclass_fields__
    if name not in {"webhook_id", "webhook_type", "operator_id", "jurisdiction"}
)
_RECORD_COLUMNS = [
    deliveries.c[name]
    for name in DeliveryRecord.__dataclass_fields__  # same names as the columns
]

_IDS = ARRAY(Text)
_FINISHED = (
    "finished_at",
    "status_code",
    "latency_ms",
    "verdict",
    "error_kind",
    "error",
    "response_excerpt",
    "next_step",
)

# The round's statements, built once: a statement object keeps its cache key, so a call only
# binds its parameters. Lists go as one array parameter (`= ANY`), so every length shares one
# SQL text and one prepared statement.
_LOCK = (
    select(*_RECORD_COLUMNS)
    .where(deliveries.c.webhook_id == bindparam("l_webhook_id"))
    .with_for_update()
)
_LOCK_ALL = (
    select(*_RECORD_COLUMNS)
    .where(deliveries.c.webhook_id == any_(bindparam("l_webhook_ids", type_=_IDS)))
    .order_by(deliveries.c.webhook_id)
    .with_for_update()
)
_SAVE_ALL = (
    update(deliveries)
    .where(deliveries.c.webhook_id == bindparam("v_webhook_id"))
    .values({name: bindparam(f"v_{name}") for name in _SAVED} | {"updated_at": func.now()})
)
_FINISH_ATTEMPTS = (
    update(delivery_attempts)
    .where(
        delivery_attempts.c.webhook_id == bindparam("f_webhook_id"),
        delivery_attempts.c.claim_id == bindparam("f_claim"),
    )
    .values({name: bindparam(f"f_{name}") for name in _FINISHED})
)
#: An empty `keep` matches every held row (`<> ALL` of no ids is true).
_REDRIVE_HELD = (
    update(deliveries)
    .where(
        deliveries.c.endpoint == bindparam("r_endpoint"),
        deliveries.c.status == "held",
        deliveries.c.webhook_id != all_(bindparam("r_keep", type_=_IDS)),
    )
    .values(
        status="pending",
        next_attempt_at=bindparam("r_now"),
        stop_cause=None,
        updated_at=func.now(),
    )
    .returning(deliveries.c.webhook_id)
)


class SqlDeliveryStore(SqlDeliveryQueue, SqlDeliveryClaims):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, webhook_id: str) -> DeliveryRecord | None:
        row = (await self._session.execute(_LOCK, {"l_webhook_id": webhook_id})).first()
        return DeliveryRecord(**row._asdict()) if row is not None else None

    async def lock_all(self, webhook_ids: Collection[str]) -> dict[str, DeliveryRecord]:
        rows = (await self._session.execute(_LOCK_ALL, {"l_webhook_ids": list(webhook_ids)})).all()
        return {row.webhook_id: DeliveryRecord(**row._asdict()) for row in rows}

    async def save(self, record: DeliveryRecord) -> None:
        await self.save_all([record])

    async def save_all(self, records: Sequence[DeliveryRecord]) -> None:
        """One executemany: a single round trip whatever the number of rows."""
        if not records:
            return
        await self._session.execute(
            _SAVE_ALL,
            [
                {f"v_{name}": getattr(record, name) for name in ("webhook_id", *_SAVED)}
                for record in records
            ],
        )

    async def finish_attempts(self, finished: Sequence[FinishedAttempt]) -> None:
        """One executemany: a single round trip whatever the number of attempts."""
        if not finished:
            return
        await self._session.execute(_FINISH_ATTEMPTS, [_finished_values(one) for one in finished])

    async def redrive_held(
        self, endpoint: str, *, now: datetime, keep: Collection[str] = ()
    ) -> int:
        result = await self._session.execute(
            _REDRIVE_HELD, {"r_endpoint": endpoint, "r_now": now, "r_keep": list(keep)}
        )
        return len(result.all())

    async def requeue_range(
        self,
        *,
        endpoint: str,
        since: datetime,
        until: datetime,
        operator_id: str | None,
        now: datetime,
    ) -> list[str]:
        d = deliveries
        conditions = [d.c.endpoint == endpoint, d.c.decided_at >= since, d.c.decided_at < until]
        if operator_id is not None:
            conditions.append(d.c.operator_id == operator_id)
        result = await self._session.execute(
            update(d)
            .where(*conditions)
            .values(
                status="pending",
                next_attempt_at=now,
                window_started_at=now,
                window_attempts=0,
                claim_id=None,
                stop_cause=None,
                updated_at=func.now(),
            )
            .returning(d.c.webhook_id, d.c.seq)
        )
        return [row.webhook_id for row in sorted(result.all(), key=lambda row: row.seq)]

    async def unacknowledged_releases(
        self, endpoint: str, *, limit: int
    ) -> tuple[list[DueRelease], int]:
        d = deliveries
        where = (
            d.c.endpoint == endpoint,
            d.c.acknowledged_at.is_(None),
            d.c.webhook_type == RELEASE_TYPE,
        )
        rows = (
            await self._session.execute(
                select(d.c.webhook_id, d.c.operator_id, d.c.jurisdiction, d.c.decided_at)
                .where(*where)
                .order_by(d.c.decided_at)
                .limit(limit)
            )
        ).all()
        total = await self._session.scalar(select(func.count()).select_from(d).where(*where))
        due = [
            DueRelease(
                release_id=row.webhook_id,
                operator_id=row.operator_id,
                jurisdiction=row.jurisdiction,
                decided_at=row.decided_at,
            )
            for row in rows
        ]
        return due, int(total or 0)

    async def status_counts(self, endpoint: str) -> dict[DeliveryStatus, int]:
        d = deliveries
        rows = (
            await self._session.execute(
                select(d.c.status, func.count())
                .where(d.c.endpoint == endpoint, d.c.status != "delivered")
                .group_by(d.c.status)
            )
        ).all()
        counts: dict[DeliveryStatus, int] = dict.fromkeys(STATUSES, 0)
        counts.pop("delivered")
        for status, count in rows:
            counts[status] = int(count)
        return counts


def _finished_values(one: FinishedAttempt) -> dict[str, Any]:
    outcome = one.result.outcome
    return {
        "f_webhook_id": one.claim.webhook_id,
        "f_claim": one.claim.claim_id,
        "f_finished_at": one.at,
        "f_status_code": outcome.status_code,
        "f_latency_ms": round(outcome.latency.total_seconds() * 1000, 3),
        "f_verdict": one.result.verdict.value,
        "f_error_kind": outcome.error_kind,
        "f_error": outcome.error,
        "f_response_excerpt": outcome.response_excerpt[:EXCERPT_CHARS],
        "f_next_step": one.result.next_step,
    }
