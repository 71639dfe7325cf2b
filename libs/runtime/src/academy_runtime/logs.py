"""Structured JSON logging to stderr, configured once per process."""

import json
import logging
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

#: Record attributes that are not fields of the line: the standard ones, and uvicorn's copy of
#: its message with ANSI colour codes.
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}

#: The HTTP request being handled (`observe.ObservedRequests` sets it): every line logged
#: while handling it carries its id.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def stamp_request_ids() -> None:
    """Make every log record created while a request is handled carry `request_id` (installed
    once per process, by the request middleware)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_ids", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        request_id = request_id_var.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return record

    factory.stamps_request_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


#: Loggers of libraries that bring their own handlers (FastStream's print plain text with ANSI
#: colour codes to stdout/stderr): theirs are removed so every line goes through ours.
ADOPTED_PREFIXES = ("faststream", "aiokafka", "uvicorn", "alembic", "sqlalchemy", "asyncssh")
#: A repeated warning or error (same logger, level and message template) is written at most
#: once per interval; the next line written says how many were left out meanwhile.
REPEAT_INTERVAL_S = 30.0
_MAX_TRACKED = 1000


class Repeats(logging.Filter):
    """Rate-limits repeated warnings and errors: a broker outage makes aiokafka log the same
    connection error hundreds of times a second; the log gets one line per interval, the next
    one carrying `repeated` (how many were left out)."""

    def __init__(
        self,
        interval_s: float = REPEAT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.clock = clock
        self._seen: dict[tuple[str, int, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen[0] < self.interval_s:
            seen[1] += 1
            return False
        if seen is not None and seen[1]:
            record.repeated = int(seen[1])
        if len(self._seen) >= _MAX_TRACKED and key not in self._seen:
            self._seen.clear()
        self._seen[key] = [now, 0]
        return True


def adopt_library_loggers() -> None:
    """Route the libraries' loggers through the root handler (JSON, rate-limited): drop the
    handlers they added themselves and let them propagate. Safe to call again after a library
    created more loggers."""
    for name in [*logging.root.manager.loggerDict, *ADOPTED_PREFIXES]:
        if not name.startswith(ADOPTED_PREFIXES):
            continue
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


def configure(
    service: str, *, level: str = "INFO", fmt: str = "json", stream: TextIO | None = None
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(message)s"))
    handler.addFilter(Repeats())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    adopt_library_loggers()
    for noisy in ("aiokafka", "uvicorn.access", "faststream.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
