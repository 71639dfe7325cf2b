"""Queueing webhooks for delivery (the enqueue part of DeliveryStore); NOTIFY at commit."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, LargeBinary, Text, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from release_bridge.adapters.delivery_signal import CHANNEL
from release_bridge.adapters.orm import deliveries
from release_bridge.service.ports import ORDERED_TYPES, NewDelivery

_TEXTS = ARRAY(Text)
_TIMES = ARRAY(DateTime(timezone=True))
#: The columns a queued delivery sets, and each one's array type (`enqueue_all`).
_QUEUED: dict[str, ARRAY[Any]] = {
    "webhook_id": _TEXTS,
    "webhook_type": _TEXTS,
    "ordered": ARRAY(Boolean),
    "operator_id": _TEXTS,
    "jurisdiction": _TEXTS,
    "endpoint": _TEXTS,
    "body": ARRAY(LargeBinary),
    "decided_at": _TIMES,
    "triggered_at": _TIMES,
}


def _enqueue_all() -> Any:
    """Queue rows from array parameters, in their order, NOTIFYing each new row's endpoint."""
    source = (
        func.unnest(*(bindparam(f"q_{name}", type_=kind) for name, kind in _QUEUED.items()))
        .table_valued(*_QUEUED, with_ordinality="n")
        .render_derived(name="queue")
    )
    now = bindparam("q_now", type_=DateTime(timezone=True))
    queued = (
        pg_insert(deliveries)
        .from_select(
            [*_QUEUED, "status", "window_started_at", "next_attempt_at"],
            select(*(source.c[name] for name in _QUEUED), literal("pending"), now, now).order_by(
                source.c.n
            ),
        )
        .on_conflict_do_nothing()
        .returning(deliveries.c.webhook_id, deliveries.c.endpoint)
        .cte("queued")
    )
    return select(queued.c.webhook_id, func.pg_notify(CHANNEL, queued.c.endpoint))


# Built once: a statement object keeps its cache key, so a call only binds its parameters.
_ENQUEUE_ALL = _enqueue_all()


class SqlDeliveryQueue:
    """The queueing methods of `SqlDeliveryStore` (it sets `_session`)."""

    _session: AsyncSession

    async def enqueue(self, delivery: NewDelivery, *, now: datetime) -> bool:
        """Queue the webhook; its commit NOTIFYs idle delivery loops (one statement)."""
        return bool(await self.enqueue_all([delivery], now=now))

    async def enqueue_all(self, queue: Sequence[NewDelivery], *, now: datetime) -> list[str]:
        """`enqueue` for several webhooks in one statement, rows (and so `seq`) in the given
        order; the ids added. Postgres folds a transaction's equal NOTIFYs into one."""
        if not queue:
            return []
        parameters: dict[str, Any] = {
            f"q_{name}": [_queued_value(delivery, name) for delivery in queue] for name in _QUEUED
        }
        result = await self._session.execute(_ENQUEUE_ALL, {**parameters, "q_now": now})
        return list(result.scalars())


def _queued_value(delivery: NewDelivery, name: str) -> Any:
    webhook = delivery.webhook
    if name == "ordered":
        return webhook.webhook_type in ORDERED_TYPES
    if name in {"endpoint", "decided_at", "triggered_at"}:
        return getattr(delivery, name)
    return getattr(webhook, name)
