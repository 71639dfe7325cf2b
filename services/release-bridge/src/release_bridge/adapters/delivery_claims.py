"""Leasing due deliveries (the claim part of DeliveryStore), one statement per round.

The statement is built once per variant (with or without held rows): a statement object keeps
its cache key, so a round only binds its parameters.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from release_bridge.adapters.orm import deliveries, delivery_attempts
from release_bridge.service.ports import Claim

_TIME = DateTime(timezone=True)


def _claim_due(*, include_held: bool) -> Any:
    """Lease the endpoint's due rows, close their abandoned attempts and open new ones."""
    d = deliveries
    earlier = aliased(deliveries)
    # Bound values rather than an expanding IN: the list is fixed per variant.
    statuses = [literal(status) for status in ("pending", "held")[: 2 if include_held else 1]]
    blocked = exists().where(
        earlier.c.ordered,
        earlier.c.operator_id == d.c.operator_id,
        earlier.c.jurisdiction == d.c.jurisdiction,
        earlier.c.endpoint == d.c.endpoint,
        earlier.c.seq < d.c.seq,
        earlier.c.status != "delivered",
    )
    now = bindparam("c_now", type_=_TIME)
    claim_id = bindparam("c_claim_id", type_=String())
    picked = (
        select(d.c.webhook_id, d.c.next_attempt_at.label("due_at"), d.c.seq)
        .where(
            d.c.endpoint == bindparam("c_endpoint"),
            d.c.status.in_(statuses),
            d.c.next_attempt_at <= now,
            ~and_(d.c.ordered, blocked),
        )
        .order_by(d.c.next_attempt_at, d.c.seq)
        .limit(bindparam("c_limit", type_=Integer()))
        .with_for_update(of=d, skip_locked=True)
        .cte("picked")
    )
    claimed = (
        update(d)
        .where(d.c.webhook_id == picked.c.webhook_id)
        .values(
            claim_id=claim_id,
            next_attempt_at=bindparam("c_lease_until"),
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
                claim_id,
                bindparam("c_replica", type_=String()),
                now,
            ).order_by(claimed.c.due_at, claimed.c.seq),
        )
        .cte("opened")
    )
    # One statement: the leases, the abandoned attempts closed and the new ones opened (the
    # attempts CTEs touch other rows of another table, so their shared snapshot is harmless).
    return select(claimed).add_cte(abandoned, opened).order_by(claimed.c.due_at, claimed.c.seq)


_CLAIM_DUE = {include_held: _claim_due(include_held=include_held) for include_held in (False, True)}


class SqlDeliveryClaims:
    """The claim method of `SqlDeliveryStore` (it sets `_session`)."""

    _session: AsyncSession

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
        claim_id = uuid.uuid4().hex
        rows = (
            await self._session.execute(
                _CLAIM_DUE[include_held],
                {
                    "c_endpoint": endpoint,
                    "c_now": now,
                    "c_limit": limit,
                    "c_lease_until": lease_until,
                    "c_claim_id": claim_id,
                    "c_replica": replica,
                },
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
