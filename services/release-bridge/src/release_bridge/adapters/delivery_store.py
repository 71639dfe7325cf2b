"""Deliveries and the attempt ledger in Postgres (DeliveryStore)."""

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, and_, bindparam, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from release_bridge.adapters.delivery_queue import SqlDeliveryQueue
from release_bridge.adapters.orm import deliveries, delivery_attempts
from release_bridge.domain.reconcile import DueRelease
from release_bridge.service.ports import (
    RELEASE_TYPE,
    STATUSES,
    Claim,
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


class SqlDeliveryStore(SqlDeliveryQueue):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim_due(
        self,
        *,
        endpoint: str,
        now: datetime,
        limit: int,
        lease_until: datetime,
        include_held: bool,
        replica: str,
    ) -> list[Claim]:
        d = deliveries
        earlier = aliased(deliveries)
        statuses = ["pending", "held"] if include_held else ["pending"]
        blocked = exists().where(
            earlier.c.ordered,
            earlier.c.operator_id == d.c.operator_id,
            earlier.c.jurisdiction == d.c.jurisdiction,
            earlier.c.endpoint == d.c.endpoint,
            earlier.c.seq < d.c.seq,
            earlier.c.status != "delivered",
        )
        claim_id = uuid.uuid4().hex
        picked = (
            select(d.c.webhook_id, d.c.next_attempt_at.label("due_at"), d.c.seq)
            .where(
                d.c.endpoint == endpoint,
                d.c.status.in_(statuses),
                d.c.next_attempt_at <= now,
                ~and_(d.c.ordered, blocked),
            )
            .order_by(d.c.next_attempt_at, d.c.seq)
            .limit(limit)
            .with_for_update(of=d, skip_locked=True)
            .cte("picked")
        )
        claimed = (
            update(d)
            .where(d.c.webhook_id == picked.c.webhook_id)
            .values(
                claim_id=claim_id,
                next_attempt_at=lease_until,
                attempts=d.c.attempts + 1,
                window_attempts=d.c.window_attempts + 1,
                updated_at=func.now(),
            )
            .returning(
                d.c.webhook_id,
                d.c.webhook_type,
                d.c.operator_id,
                d.c.jurisdiction,
                d.c.body,
                d.c.attempts,
                picked.c.due_at,
                picked.c.seq,
            )
            .cte("claimed")
        )
        a = delivery_attempts
        abandoned = (
            update(a)
            .where(a.c.webhook_id.in_(select(claimed.c.webhook_id)), a.c.finished_at.is_(None))
            .values(finished_at=now, next_step="abandoned", error="lease expired: outcome unknown")
            .cte("abandoned")
        )
        opened = (
            insert(a)
            .from_select(
                ["webhook_id", "attempt", "claim_id", "replica", "started_at"],
                select(
                    claimed.c.webhook_id,
                    claimed.c.attempts,
                    literal(claim_id),
                    literal(replica),
                    literal(now, DateTime(timezone=True)),
                ).order_by(claimed.c.due_at, claimed.c.seq),
            )
            .cte("opened")
        )
        # One statement: the leases, the abandoned attempts closed and the new ones opened (the
        # attempts CTEs touch other rows of another table, so their shared snapshot is harmless).
        rows = (
            await self._session.execute(
                select(claimed).add_cte(abandoned, opened).order_by(claimed.c.due_at, claimed.c.seq)
            )
        ).all()
        return [
            Claim(
                webhook_id=row.webhook_id,
                webhook_type=row.webhook_type,
                operator_id=row.operator_id,
                jurisdiction=row.jurisdiction,
                body=row.body,
                claim_id=claim_id,
                attempt=row.attempts,
            )
            for row in rows
        ]

    async def lock(self, webhook_id: str) -> DeliveryRecord | None:
        row = (
            await self._session.execute(
                select(*_RECORD_COLUMNS)
                .where(deliveries.c.webhook_id == webhook_id)
                .with_for_update()
            )
        ).first()
        return DeliveryRecord(**row._asdict()) if row is not None else None

    async def lock_all(self, webhook_ids: Collection[str]) -> dict[str, DeliveryRecord]:
        rows = (
            await self._session.execute(
                select(*_RECORD_COLUMNS)
                .where(deliveries.c.webhook_id.in_(list(webhook_ids)))
                .order_by(deliveries.c.webhook_id)
                .with_for_update()
            )
        ).all()
        return {row.webhook_id: DeliveryRecord(**row._asdict()) for row in rows}

    async def save(self, record: DeliveryRecord) -> None:
        await self.save_all([record])

    async def save_all(self, records: Sequence[DeliveryRecord]) -> None:
        """One executemany: a single round trip whatever the number of rows."""
        if not records:
            return
        values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in _SAVED}
        await self._session.execute(
            update(deliveries)
            .where(deliveries.c.webhook_id == bindparam("v_webhook_id"))
            .values(**values, updated_at=func.now()),
            [
                {f"v_{name}": getattr(record, name) for name in ("webhook_id", *_SAVED)}
                for record in records
            ],
        )

    async def finish_attempts(self, finished: Sequence[FinishedAttempt]) -> None:
        """One executemany: a single round trip whatever the number of attempts."""
        if not finished:
            return
        a = delivery_attempts
        await self._session.execute(
            update(a)
            .where(
                a.c.webhook_id == bindparam("f_webhook_id"), a.c.claim_id == bindparam("f_claim")
            )
            .values(
                {
                    name: bindparam(f"f_{name}")
                    for name in (
                        "finished_at",
                        "status_code",
                        "latency_ms",
                        "verdict",
                        "error_kind",
                        "error",
                        "response_excerpt",
                        "next_step",
                    )
                }
            ),
            [_finished_values(one) for one in finished],
        )

    async def redrive_held(
        self, endpoint: str, *, now: datetime, keep: Collection[str] = ()
    ) -> int:
        d = deliveries
        conditions = [d.c.endpoint == endpoint, d.c.status == "held"]
        if keep:
            conditions.append(d.c.webhook_id.not_in(list(keep)))
        result = await self._session.execute(
            update(d)
            .where(*conditions)
            .values(status="pending", next_attempt_at=now, stop_cause=None, updated_at=func.now())
            .returning(d.c.webhook_id)
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
