"""A deterministic zip container: stored (uncompressed) entries, fixed metadata, fixed order.

We write zips ourselves rather than through `zipfile` so the exact bytes are a function of the
member names, contents and timestamp alone (no dependency on the Python or zlib version), and
so a verifier can regenerate the container and refuse any byte that differs, including header
fields (times, attributes, offsets) that zip readers ignore. `zipfile` reads these zips.
"""

import struct
import zlib
from collections.abc import Iterable, Iterator
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


class ContainerError(ValueError):
    """A zip that is not byte-for-byte the canonical container of its own members."""


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """What the container layout depends on, per member."""

    name: str
    size: int
    crc32: int


def dos_datetime(moment: datetime) -> tuple[int, int]:
    """DOS (time, date) fields; 2-second resolution, years 1980..2107."""
    if not 1980 <= moment.year <= 2107:
        raise ValueError("zip timestamps cover 1980..2107 only")
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    date = ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day
    return time, date


def _local_header(member: MemberInfo, stamp: tuple[int, int]) -> bytes:
    name = member.name.encode("ascii")
    zip64 = member.size >= ZIP64_THRESHOLD
    extra = struct.pack("<HHQQ", 1, 16, member.size, member.size) if zip64 else b""
    size32 = _MARK32 if zip64 else member.size
    version = 45 if zip64 else 20
    fixed = struct.pack(
        "<IHHHHHIIIHH",
        0x04034B50,
        version,
        0,  # flags: no data descriptor, ASCII names
        0,  # method: stored
        stamp[0],
        stamp[1],
        member.crc32,
        size32,
        size32,
        len(name),
        len(extra),
    )
    return fixed + name + extra


def _central_header(member: MemberInfo, offset: int, stamp: tuple[int, int]) -> bytes:
    name = member.name.encode("ascii")
    wide: list[int] = []
    size32, offset32 = member.size, offset
    if member.size >= ZIP64_THRESHOLD:
        wide += [member.size, member.size]
        size32 = _MARK32
    if offset >= ZIP64_THRESHOLD:
        wide.append(offset)
        offset32 = _MARK32
    extra = struct.pack(f"<HH{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
    version = 45 if wide else 20
    fixed = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        _MADE_BY_UNIX | version,
        version,
        0,
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


def zip_chunks(
    entries: Iterable[tuple[MemberInfo, Iterable[bytes]]], timestamp: datetime
) -> Iterator[bytes]:
    """The canonical container, as byte chunks, for members given with their contents."""
    stamp = dos_datetime(timestamp)
    position = 0
    central: list[bytes] = []
    for member, content in entries:
        header = _local_header(member, stamp)
        central.append(_central_header(member, position, stamp))
        yield header
        position += len(header)
        written = 0
        for chunk in content:
            written += len(chunk)
            yield chunk
        if written != member.size:
            raise ContainerError(f"{member.name}: {written} bytes, expected {member.size}")
        position += written
    directory = b"".join(central)
    yield directory
    yield _end_records(len(central), position, len(directory))


def write_zip(
    out: BinaryIO, entries: Iterable[tuple[MemberInfo, Iterable[bytes]]], timestamp: datetime
) -> int:
    """Write the canonical container to `out` (sequentially; no seeking); returns its size."""
    total = 0
    for chunk in zip_chunks(entries, timestamp):
        out.write(chunk)
        total += len(chunk)
    return total


def bytes_member(name: str, data: bytes) -> tuple[MemberInfo, Iterable[bytes]]:
    return MemberInfo(name, len(data), zlib.crc32(data)), (data,)


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
