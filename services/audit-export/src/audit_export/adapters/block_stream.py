"""Stream a range of an operator's log from Postgres, in blocks, as an async iterator.

A million-event day is too many rows to hand to Python one at a time, so Postgres gathers
them: each result row is one block of consecutive log entries, with their lines joined by
newlines (a slice of events.jsonl), their stored leaf hashes concatenated, the extremes of
their index and recorded_at, and the few entries the builder reads one by one (`READ_TYPES`:
those that give a CSV row or a certificate notice; the builder finds training states in the
joined text itself). Postgres also checks, per block, that every stored line still hashes to
the leaf hash the log stored when it appended it (`SHA-256(0x00 || line)`), so a line
changed behind the log's back fails the build instead of being published under a new root.

The blocks come from a server-side cursor, one fetch ahead (the next fetch runs while the
export loop builds and uploads the current ones), so fetching and building overlap. A fetch
asks for about FETCH_BYTES of blocks (judged by the blocks seen so far), so memory holds a
few MiB of the log, whatever the size of its events. Close the iterator when leaving it
early (`contextlib.aclosing`): that ends the read and releases the connection.
"""

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import asyncpg

from audit_export.adapters.orm import SCHEMA
from auditpack.pack import READ_TYPES, LogAlteredError, LogBlock, PackBuildError
from auditpack.records import StoredRecord

#: Log entries per block: big enough that per-block work vanishes, small enough that a few
#: blocks of the largest events stay far below the memory target.
BLOCK_ENTRIES = 512
#: Bytes of blocks per fetch (one fetch stays in flight while the previous one is consumed):
#: enough that Postgres is not left waiting for the next round trip (fetches of about 1 MiB
#: made the 1M-event pass 10-15% slower), small enough to keep memory flat (8 MiB was no
#: faster than 4 and added ~20 MB to the peak). Always within 1..MAX_FETCH_BLOCKS blocks.
FETCH_BYTES = 4 * 1024 * 1024
FIRST_FETCH_BLOCKS = 2
MAX_FETCH_BLOCKS = 32

# The aggregates see the rows in the order the subquery's index scan returns them (lines and
# leaves in the same order, as one scan feeds both); `idx` comes back too, in that order, and
# the stream checks it is consecutive, so the order is verified rather than assumed. The
# blocks are ordered by the series' ordinality, not by `k`: Postgres knows a function scan
# WITH ORDINALITY comes in that order, so it adds no sort, whereas `ORDER BY s.k` made it sort
# every block (the day's whole text) through temporary files, which cost more than the query.
QUERY = """
SELECT b.n, b.indexes, b.earliest, b.latest, b.lines, b.leaves, b.altered,
       b.csv_idx, b.csv_at, b.csv_lines, b.csv_types
FROM generate_series(0::bigint, ($3::bigint - $2::bigint - 1) / $4::bigint)
     WITH ORDINALITY AS s(k, ord)
CROSS JOIN LATERAL (
    SELECT count(*) AS n, array_agg(idx) AS indexes,
           min(recorded_at) AS earliest, max(recorded_at) AS latest,
           string_agg(line, '\\x0a'::bytea) || '\\x0a'::bytea AS lines,
           string_agg(leaf_hash, ''::bytea) AS leaves,
           min(idx) FILTER (WHERE leaf_hash <> sha256('\\x00'::bytea || line)) AS altered,
           array_agg(idx) FILTER (WHERE ce_type = ANY($5::text[])) AS csv_idx,
           array_agg(recorded_at) FILTER (WHERE ce_type = ANY($5::text[])) AS csv_at,
           array_agg(line) FILTER (WHERE ce_type = ANY($5::text[])) AS csv_lines,
           array_agg(ce_type) FILTER (WHERE ce_type = ANY($5::text[])) AS csv_types
    FROM (
        SELECT idx, recorded_at, line, leaf_hash, ce_type FROM audit_log
        WHERE operator_id = $1
          AND idx >= $2::bigint + s.k * $4::bigint
          AND idx < least($3::bigint, $2::bigint + (s.k + 1) * $4::bigint)
        ORDER BY idx
    ) AS entries
) AS b
ORDER BY s.ord
"""


class BlockStream:
    """Opens a dedicated connection per stream (a long read must not hold a pool slot)."""

    def __init__(
        self,
        dsn: str,
        *,
        block_entries: int = BLOCK_ENTRIES,
        fetch_bytes: int = FETCH_BYTES,
    ) -> None:
        self._dsn = dsn
        self._block = block_entries
        self._fetch = fetch_bytes

    async def blocks(
        self, operator_id: str, start: int, end: int
    ) -> AsyncGenerator[LogBlock, None]:
        """The blocks of entries start <= index < end, in order; refuses a missing entry."""
        if start >= end:
            return
        connection = await asyncpg.connect(
            self._dsn,
            # JIT compiling index-range scans only adds its compile time; one backend suffices.
            server_settings={
                "search_path": SCHEMA,
                "jit": "off",
                "max_parallel_workers_per_gather": "0",
            },
        )
        try:
            async with connection.transaction(readonly=True, isolation="repeatable_read"):
                cursor = await connection.cursor(
                    QUERY, operator_id, start, end, self._block, sorted(READ_TYPES)
                )
                expected = start
                pending = asyncio.ensure_future(cursor.fetch(FIRST_FETCH_BLOCKS))
                try:
                    while rows := await pending:
                        pending = asyncio.ensure_future(cursor.fetch(fetch_size(rows, self._fetch)))
                        for row in rows:
                            block = _block(operator_id, expected, row)
                            expected += block.count
                            yield block
                finally:
                    with contextlib.suppress(Exception):
                        await pending  # the connection must be idle before the transaction ends
                if expected != end:
                    raise PackBuildError(
                        f"{operator_id}: log entry {expected} is missing (range ends {end})"
                    )
        finally:
            await connection.close()


def fetch_size(rows: Sequence[Sequence[Any]], fetch_bytes: int) -> int:
    """How many blocks the next fetch asks for: about `fetch_bytes` of them, judged by the
    largest block just fetched (their text dominates their size). A block whose entries are
    all gone has neither; the stream refuses it when it gets to it."""
    largest = max((len(row[4] or b"") + len(row[5] or b"") for row in rows), default=0)
    return max(1, min(MAX_FETCH_BLOCKS, fetch_bytes // max(largest, 1)))


def _block(operator_id: str, expected: int, row: Sequence[Any]) -> LogBlock:
    count, indexes, earliest, latest, lines, leaves, altered = row[:7]
    if altered is not None:
        raise LogAlteredError(
            f"{operator_id}: stored line {altered} no longer hashes to the leaf hash the log "
            "stored when it appended it; the audit log was changed outside the service"
        )
    wanted = range(expected, expected + count)
    if not count or indexes != list(wanted):
        found = indexes or []
        missing = next(
            (want for want, got in zip(wanted, found, strict=True) if got != want),
            expected + len(found),
        )
        raise PackBuildError(f"{operator_id}: log entry {missing} is missing or out of order")
    csv_indexes, times, csv_lines, types = row[7:]
    records = (
        [StoredRecord(*fields) for fields in zip(csv_indexes, times, csv_lines, types, strict=True)]
        if csv_indexes
        else []
    )
    return LogBlock(expected, lines, leaves, earliest, latest, records)
