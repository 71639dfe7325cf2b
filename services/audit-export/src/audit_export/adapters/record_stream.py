"""Stream a range of an operator's log from Postgres into a synchronous consumer thread.

The pack builder is synchronous and CPU-bound, so it runs in a worker thread; it pulls the
records through a plain iterator that fetches batches from a server-side cursor on the event
loop, one batch ahead, so fetching and building overlap and memory holds two batches at most.
"""

import asyncio
import contextlib
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

import asyncpg

from audit_export.adapters.orm import SCHEMA
from audit_export.domain.records import StoredRecord

T = TypeVar("T")
_make = StoredRecord._make  # rows are (idx, recorded_at, line, ce_type), in field order

QUERY = """
SELECT idx, recorded_at, line, ce_type FROM audit_log
WHERE operator_id = $1 AND idx >= $2 AND idx < $3
ORDER BY idx
"""


class RecordStream:
    """Opens a dedicated connection per stream (a long read must not hold a pool slot)."""

    def __init__(self, dsn: str, *, batch_size: int = 5000) -> None:
        self._dsn = dsn
        self._batch = batch_size

    async def consume(
        self,
        operator_id: str,
        start: int,
        end: int,
        consumer: Callable[[Iterator[StoredRecord]], T],
    ) -> T:
        """Run `consumer` in a worker thread over the records with start <= index < end."""
        if start >= end:
            return await asyncio.to_thread(consumer, iter(()))
        loop = asyncio.get_running_loop()
        connection = await asyncpg.connect(
            self._dsn,
            # JIT compiling a plain index-range scan only adds its compile time.
            server_settings={"search_path": SCHEMA, "jit": "off"},
        )
        try:
            async with connection.transaction(readonly=True):
                cursor = await connection.cursor(QUERY, operator_id, start, end)
                return await asyncio.to_thread(_run_consumer, consumer, cursor, loop, self._batch)
        finally:
            await connection.close()


def _run_consumer(
    consumer: Callable[[Iterator[StoredRecord]], T],
    cursor: Any,
    loop: asyncio.AbstractEventLoop,
    batch: int,
) -> T:
    records = _records(cursor, loop, batch)
    try:
        return consumer(records)
    finally:
        records.close()


def _records(
    cursor: Any, loop: asyncio.AbstractEventLoop, batch: int
) -> Generator[StoredRecord, None, None]:
    """Yield records, keeping one fetch in flight while the current batch is consumed."""
    pending = asyncio.run_coroutine_threadsafe(cursor.fetch(batch), loop)
    try:
        while True:
            rows = pending.result()
            if not rows:
                return
            pending = asyncio.run_coroutine_threadsafe(cursor.fetch(batch), loop)
            yield from map(_make, rows)
    finally:
        with contextlib.suppress(Exception):
            pending.result()  # the connection must be idle before the transaction ends
