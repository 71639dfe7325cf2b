"""The remote sink: chunks go out while the pack is built, come back verified, and the remote
file is flushed to disk as the upload goes on (against an in-memory remote file)."""

import asyncio
import hashlib
import os

import asyncssh
import pytest

from audit_export.adapters.sftp_stream import RemoteSink

CHUNK = 1000


class FakeRemoteFile:
    """One remote file: what was written, and the size at each flush."""

    def __init__(self, fsync_error: Exception | None = None) -> None:
        self.data = bytearray()
        self.writes: list[int] = []
        self.flushed_at: list[int] = []
        self._fsync_error = fsync_error

    async def write(self, data: bytes, offset: int) -> int:
        await asyncio.sleep(0)
        self.writes.append(len(data))
        self.data[offset : offset + len(data)] = data
        return len(data)

    async def read(self, size: int, offset: int) -> bytes:
        await asyncio.sleep(0)
        return bytes(self.data[offset : offset + size])

    async def fsync(self) -> None:
        await asyncio.sleep(0)
        self.flushed_at.append(len(self.data))
        if self._fsync_error is not None:
            raise self._fsync_error


async def _upload(
    remote: FakeRemoteFile, payload: bytes, flush_every: int, *, piece: int = 300
) -> tuple[int, str, str]:
    sink = RemoteSink(
        "/archive/.pack.part",
        remote,  # type: ignore[arg-type]
        remote,  # type: ignore[arg-type]
        chunk=CHUNK,
        window=2,
        flush_every=flush_every,
    )

    for start in range(0, len(payload), piece):
        await sink.write(payload[start : start + piece])
    return await sink.finish()


async def test_the_file_is_flushed_as_the_upload_goes_on() -> None:
    payload = os.urandom(40 * CHUNK + 123)
    remote = FakeRemoteFile()

    size, sent, read_back = await _upload(remote, payload, flush_every=5 * CHUNK)

    digest = hashlib.sha256(payload).hexdigest()
    assert (size, sent, read_back) == (len(payload), digest, digest)
    assert bytes(remote.data) == payload
    flushes = remote.flushed_at
    assert len(flushes) >= 4, flushes  # several while uploading, not one at the end
    assert flushes == sorted(flushes)
    assert flushes[0] >= 5 * CHUNK
    assert flushes[0] < len(payload)


async def test_a_small_file_is_not_flushed_by_the_sink() -> None:
    remote = FakeRemoteFile()
    await _upload(remote, os.urandom(3 * CHUNK), flush_every=5 * CHUNK)
    assert remote.flushed_at == []  # the uploader's final flush is the only one


async def test_a_server_without_fsync_is_asked_once_and_the_upload_goes_on() -> None:
    payload = os.urandom(40 * CHUNK)
    remote = FakeRemoteFile(fsync_error=asyncssh.SFTPOpUnsupported("fsync not supported"))

    size, sent, read_back = await _upload(remote, payload, flush_every=5 * CHUNK)

    assert (size, sent == read_back) == (len(payload), True)
    assert len(remote.flushed_at) == 1


async def test_a_failed_flush_fails_the_upload() -> None:
    remote = FakeRemoteFile(fsync_error=asyncssh.SFTPFailure("disk full"))
    with pytest.raises(asyncssh.SFTPFailure, match="disk full"):
        await _upload(remote, os.urandom(40 * CHUNK), flush_every=5 * CHUNK)


async def test_small_pieces_are_gathered_and_a_huge_one_is_split_into_chunks() -> None:
    gathered, split = FakeRemoteFile(), FakeRemoteFile()
    payload = os.urandom(25 * CHUNK + 7)

    await _upload(gathered, payload, flush_every=10**9, piece=300)
    await _upload(split, payload, flush_every=10**9, piece=len(payload))

    assert bytes(gathered.data) == bytes(split.data) == payload
    assert all(CHUNK <= size < 2 * CHUNK for size in gathered.writes[:-1])
    assert split.writes == [CHUNK] * 25 + [7]  # memory in flight stays window x chunk
