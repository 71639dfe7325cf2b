"""A temporary file that hashes (SHA-256) and counts what is written to it."""

import hashlib
from typing import IO

from auditpack.manifest import FileEntry
from auditpack.zipstore import Entry, file_chunks


class Spool:
    """Spools one pack member, computing what its manifest entry and zip header need.

    Small writes (one per CSV row) are gathered and written and hashed a quarter megabyte at
    a time: per-row file writes and hash calls dominated large builds.
    """

    FLUSH_AT = 256 * 1024

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.rows = 0
        self._pending: list[bytes] = []
        self._pending_size = 0

    def write(self, data: bytes) -> None:
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size >= self.FLUSH_AT:
            self.sync()

    def sync(self) -> None:
        """Everything written so far is in the file and the hashes."""
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        self.file.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def entry(self, path: str, *, rows: bool) -> FileEntry:
        self.sync()
        return FileEntry(
            path=path,
            sha256=self.sha256.hexdigest(),
            bytes=self.size,
            rows=self.rows if rows else None,
        )

    def member(self, name: str) -> Entry:
        self.sync()
        self.file.flush()
        return name, file_chunks(self.file)
