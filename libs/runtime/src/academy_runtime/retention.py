"""Housekeeping: drop sent outbox rows and old inbox ids after their retention period.

The inbox keeps ids long enough that any redelivery (broker retention, replays) is still
recognised; sent outbox rows are only kept for troubleshooting.
"""

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import Table, delete, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from academy_runtime.loops import every

log = logging.getLogger(__name__)


async def prune_once(
    sessions: async_sessionmaker[AsyncSession],
    *,
    outbox: Table,
    inbox: Table,
    outbox_keep: timedelta,
    inbox_keep: timedelta,
    batch: int = 5000,
) -> tuple[int, int]:
    """Delete one batch of each; returns (outbox rows, inbox rows) deleted."""
    async with sessions() as session, session.begin():
        old_outbox = delete(outbox).where(
            outbox.c.id.in_(
                outbox.select()
                .with_only_columns(outbox.c.id)
                .where(
                    outbox.c.sent_at.is_not(None),
                    outbox.c.sent_at < func.now() - outbox_keep,
                )
                .limit(batch)
                .scalar_subquery()
            )
        )
        removed_outbox = _rowcount(await session.execute(old_outbox))
        old_inbox = delete(inbox).where(
            inbox.c.event_id.in_(
                inbox.select()
                .with_only_columns(inbox.c.event_id)
                .where(inbox.c.processed_at < func.now() - inbox_keep)
                .limit(batch)
                .scalar_subquery()
            )
        )
        removed_inbox = _rowcount(await session.execute(old_inbox))
    return removed_outbox, removed_inbox


async def run(
    stop: asyncio.Event,
    sessions: async_sessionmaker[AsyncSession],
    *,
    outbox: Table,
    inbox: Table,
    outbox_keep: timedelta,
    inbox_keep: timedelta,
    every_s: float = 600.0,
) -> None:
    """Prune sent outbox rows and processed inbox rows every `every_s` until `stop`."""

    async def prune() -> None:
        removed = await prune_once(
            sessions, outbox=outbox, inbox=inbox, outbox_keep=outbox_keep, inbox_keep=inbox_keep
        )
        if any(removed):
            log.info("pruned outbox/inbox rows", extra={"outbox": removed[0], "inbox": removed[1]})

    await every(stop, every_s, prune, name="retention pass", traceback=False)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
