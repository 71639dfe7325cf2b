"""A deterministic zip container: stored (uncompressed) entries, fixed metadata, fixed order.

We write zips ourselves rather than through `zipfile` so the exact bytes are a function of the
member names, contents and timestamp alone (no dependency on the Python or zlib version), and
so a verifier can regenerate the container and refuse any byte that differs, including header
fields (times, attributes, offsets) that zip readers ignore. `zipfile` reads these zips.

Every entry is streamed: its local header carries no size or CRC (flag bit 3, a zip64 extra
field with zero sizes) and a zip64 data descriptor follows its bytes, as `zipfile` itself
writes streamed entries. So a member can go out while it is still being produced, and a
million-event events.jsonl travels to the archive as it is read from the log instead of
being spooled to disk first. The central directory carries the real sizes and CRCs.
"""

import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, BinaryIO

CHUNK = 256 * 1024
_MARK32 = 0xFFFFFFFF
_MARK16 = 0xFFFF
#: At and above this a size or offset goes into zip64 fields (a module constant for tests).
ZIP64_THRESHOLD = _MARK32
_UNIX_FILE_0644 = (0o100644 << 16) & _MARK32
_MADE_BY_UNIX = 3 << 8
_STREAMED = 0x08  # general purpose flag bit 3: sizes and CRC follow in a data descriptor
_VERSION = 45  # zip64 (every local header carries a zip64 extra field)

#: A member: its name and its content as byte chunks.
Entry = tuple[str, Iterable[bytes]]


class ContainerError(ValueError):
    """A zip that is not byte-for-byte the canonical container of its own members."""


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """What the central directory records of a member."""

    name: str
    size: int
    crc32: int
    offset: int


def dos_datetime(moment: datetime) -> tuple[int, int]:
    """DOS (time, date) fields; 2-second resolution, years 1980..2107."""
    if not 1980 <= moment.year <= 2107:
        raise ValueError("zip timestamps cover 1980..2107 only")
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    date = ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day
    return time, date


def _local_header(name: bytes, stamp: tuple[int, int]) -> bytes:
    extra = struct.pack("<HHQQ", 1, 16, 0, 0)
    fixed = struct.pack(
        "<IHHHHHIIIHH",
        0x04034B50,
        _VERSION,
        _STREAMED,
        0,  # method: stored
        stamp[0],
        stamp[1],
        0,  # CRC-32: in the data descriptor
        _MARK32,
        _MARK32,
        len(name),
        len(extra),
    )
    return fixed + name + extra


def _data_descriptor(size: int, crc32: int) -> bytes:
    return struct.pack("<IIQQ", 0x08074B50, crc32, size, size)


def _central_header(member: MemberInfo, stamp: tuple[int, int]) -> bytes:
    name = member.name.encode("ascii")
    wide: list[int] = []
    size32, offset32 = member.size, member.offset
    if member.size >= ZIP64_THRESHOLD:
        wide += [member.size, member.size]
        size32 = _MARK32
    if member.offset >= ZIP64_THRESHOLD:
        wide.append(member.offset)
        offset32 = _MARK32
    extra = struct.pack(f"<HH{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
    fixed = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        _MADE_BY_UNIX | _VERSION,
        _VERSION,
        _STREAMED,
        0,
        stamp[0],
        stamp[1],
        member.crc32,
        size32,
        size32,
        len(name),
        len(extra),
        0,  # comment length
        0,  # disk number start
        0,  # internal attributes
        _UNIX_FILE_0644,
        offset32,
    )
    return fixed + name + extra


def _end_records(count: int, cd_offset: int, cd_size: int) -> bytes:
    zip64 = count >= _MARK16 or cd_offset >= ZIP64_THRESHOLD or cd_size >= ZIP64_THRESHOLD
    tail = b""
    if zip64:
        zip64_end_offset = cd_offset + cd_size
        tail += struct.pack(
            "<IQHHIIQQQQ",
            0x06064B50,
            44,
            _MADE_BY_UNIX | 45,
            45,
            0,
            0,
            count,
            count,
            cd_size,
            cd_offset,
        )
        tail += struct.pack("<IIQI", 0x07064B50, 0, zip64_end_offset, 1)
    tail += struct.pack(
        "<IHHHHIIH",
        0x06054B50,
        0,
        0,
        min(count, _MARK16),
        min(count, _MARK16),
        _MARK32 if zip64 else cd_size,
        _MARK32 if zip64 else cd_offset,
        0,
    )
    return tail


class ZipWriter:
    """Writes the canonical container to `write`, one member at a time, front to back.

    `begin(name)`, any number of `write(data)`, `end()`; or `member(name, chunks)`; then
    `close()`. Only sequential writes: `write` may be a socket or a remote file.
    """

    def __init__(self, write: Callable[[bytes], object], timestamp: datetime) -> None:
        self._out = write
        self._stamp = dos_datetime(timestamp)
        self._position = 0
        self._members: list[MemberInfo] = []
        self._open: tuple[str, int] | None = None  # (name, offset) of the member being written
        self._size = 0
        self._crc = 0
        self._closed = False

    @property
    def position(self) -> int:
        """Bytes written so far."""
        return self._position

    def _emit(self, data: bytes) -> None:
        self._out(data)
        self._position += len(data)

    def begin(self, name: str) -> None:
        if self._open is not None or self._closed:
            raise ContainerError(f"cannot begin {name}: a member is open or the zip is closed")
        encoded = name.encode("ascii")
        self._open = (name, self._position)
        self._size, self._crc = 0, 0
        self._emit(_local_header(encoded, self._stamp))

    def write(self, data: bytes) -> None:
        if self._open is None:
            raise ContainerError("no member is open")
        if data:
            self._crc = zlib.crc32(data, self._crc)
            self._size += len(data)
            self._emit(data)

    def end(self) -> MemberInfo:
        if self._open is None:
            raise ContainerError("no member is open")
        name, offset = self._open
        self._emit(_data_descriptor(self._size, self._crc))
        member = MemberInfo(name, self._size, self._crc, offset)
        self._members.append(member)
        self._open = None
        return member

    def member(self, name: str, chunks: Iterable[bytes]) -> MemberInfo:
        self.begin(name)
        for chunk in chunks:
            self.write(chunk)
        return self.end()

    def close(self) -> int:
        """Write the central directory and end records; returns the container's size."""
        if self._open is not None:
            raise ContainerError(f"{self._open[0]} is still open")
        if not self._closed:
            self._closed = True
            start = self._position
            directory = b"".join(_central_header(m, self._stamp) for m in self._members)
            self._emit(directory)
            self._emit(_end_records(len(self._members), start, len(directory)))
        return self._position


def zip_chunks(entries: Iterable[Entry], timestamp: datetime) -> Iterator[bytes]:
    """The canonical container, as byte chunks, for members given with their contents."""
    pending: list[bytes] = []
    writer = ZipWriter(pending.append, timestamp)

    def drain() -> Iterator[bytes]:
        yield from pending
        pending.clear()

    for name, content in entries:
        writer.begin(name)
        yield from drain()
        for chunk in content:
            writer.write(chunk)
            yield from drain()
        writer.end()
        yield from drain()
    writer.close()
    yield from drain()


def write_zip(out: BinaryIO, entries: Iterable[Entry], timestamp: datetime) -> int:
    """Write the canonical container to `out` (sequentially; no seeking); returns its size."""
    writer = ZipWriter(out.write, timestamp)
    for name, content in entries:
        writer.member(name, content)
    return writer.close()


def bytes_member(name: str, data: bytes) -> Entry:
    return name, (data,)


def file_chunks(source: IO[bytes]) -> Iterator[bytes]:
    """Read a seekable file from its start in chunks."""
    source.seek(0)
    while chunk := source.read(CHUNK):
        yield chunk


class ContainerComparer:
    """Compares regenerated container chunks against the bytes of an existing file."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._offset = 0

    def feed(self, chunk: bytes) -> None:
        actual = self._raw.read(len(chunk))
        if actual != chunk:
            first = next(
                (i for i, (a, b) in enumerate(zip(actual, chunk, strict=False)) if a != b),
                min(len(actual), len(chunk)),
            )
            raise ContainerError(
                f"byte {self._offset + first} differs from the canonical container"
            )
        self._offset += len(chunk)

    def finish(self) -> None:
        if self._raw.read(1):
            raise ContainerError(f"unexpected bytes after offset {self._offset}")
