"""Counting the SQL statements an engine sends: round trips are what a hot path pays for."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements `engine` sends while the block runs, in order (an executemany is one)."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
