"""The one clock type: what domain code, handlers and loops call for "now"."""

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Returns the current time, timezone-aware UTC; injected so tests and demos control time."""

    def __call__(self) -> datetime: ...
