"""Stream a pack into a remote file while it is built, and read every byte back as it lands.

The export loop awaits `RemoteSink.write` with the bytes the pack builder returns. The sink
gathers them into chunks and sends each at its offset without waiting for the previous one
(at most `window` in flight, so memory stays bounded). A task reads every acknowledged chunk
back, in order, and hashes what it read; the sink hashes what it sent. Uploading and reading
back overlap the build instead of following it, and no local copy of the pack is written.
Every FLUSH_EVERY acknowledged bytes the file is flushed to the archive's disk
(fsync@openssh.com, when the server offers it) while the upload goes on, so the final flush
before the rename has only the tail left to write. Everything runs on the event loop.
"""

import asyncio
import hashlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import asyncssh

#: Called after each chunk was read back with (the remote path, bytes verified so far).
Progress = Callable[[str, int], Awaitable[None]]
READ_AHEAD = 4
#: Flush the remote file to disk after this many more bytes were acknowledged (64 MiB: each
#: flush takes tens of milliseconds on a local disk, and the last one before the rename has
#: at most this much left to write instead of the whole pack).
FLUSH_EVERY = 64 * 1024 * 1024


class RemoteSink:
    def __init__(
        self,
        path: str,
        writer: asyncssh.SFTPClientFile,
        reader: asyncssh.SFTPClientFile,
        *,
        chunk: int,
        window: int,
        progress: Progress | None = None,
        flush_every: int = FLUSH_EVERY,
    ) -> None:
        self._path = path
        self._writer, self._reader = writer, reader
        self._chunk, self._window, self._progress = chunk, window, progress
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._offset = 0
        self._inflight: deque[asyncio.Task[int]] = deque()
        self._sent = hashlib.sha256()
        self._queue: asyncio.Queue[tuple[int, int, asyncio.Task[int]] | None] = asyncio.Queue()
        self._flushing: asyncio.Task[None] | None = None
        self._flush_every, self._flushed, self._can_flush = flush_every, 0, True
        self._read_back = asyncio.ensure_future(self._verify())

    # -- the writes ----------------------------------------------------------------------
    async def write(self, data: bytes) -> None:
        if not data:
            return
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= self._chunk:
            await self._send_buffer()

    async def _send_buffer(self) -> None:
        """Send what is buffered: as one write when it is under two chunks (no copy beyond
        the join), else in chunk-sized writes, so no write in flight holds more than two
        chunks, however large the piece the builder returned (a block of huge events)."""
        data = b"".join(self._buffer)
        self._buffer.clear()
        self._buffered = 0
        if len(data) < 2 * self._chunk:
            await self._send(data)
            return
        for start in range(0, len(data), self._chunk):
            await self._send(data[start : start + self._chunk])

    async def _send(self, data: bytes) -> None:
        self._sent.update(data)
        offset, self._offset = self._offset, self._offset + len(data)
        write = asyncio.ensure_future(self._writer.write(data, offset))
        self._inflight.append(write)
        self._queue.put_nowait((offset, len(data), write))
        while len(self._inflight) > self._window:
            await self._inflight.popleft()

    # -- the event loop ------------------------------------------------------------------
    async def _verify(self) -> tuple[int, str]:
        """Read back each chunk once its write is acknowledged, in order; hash what came back.

        Up to READ_AHEAD reads are in flight, so reading keeps pace with writing."""
        digest = hashlib.sha256()
        verified = 0
        reads: deque[tuple[int, int, asyncio.Task[Any]]] = deque()

        async def check_oldest() -> None:
            nonlocal verified
            offset, length, read = reads.popleft()
            data = await read
            if len(data) != length:
                raise asyncssh.SFTPFailure(f"read back {len(data)} bytes at {offset}, not {length}")
            digest.update(data)
            verified = offset + length
            if self._progress is not None:
                await self._progress(self._path, verified)

        try:
            while (item := await self._queue.get()) is not None:
                offset, length, write = item
                await write
                await self._flush_behind(offset + length)
                reads.append(
                    (offset, length, asyncio.ensure_future(self._reader.read(length, offset)))
                )
                while len(reads) > READ_AHEAD:
                    await check_oldest()
            while reads:
                await check_oldest()
            await self._flush_behind(None)
        finally:
            for _, _, read in reads:
                read.cancel()
            self._drop_flush()
        return verified, digest.hexdigest()

    def _drop_flush(self) -> None:
        """The read-back ended early: cancel a flush still running, or take the outcome of
        one that ended (the upload has already failed; this keeps it from being logged as an
        unretrieved error)."""
        flushing, self._flushing = self._flushing, None
        if flushing is None:
            return
        if not flushing.done():
            flushing.cancel()
        elif not flushing.cancelled():
            flushing.exception()

    async def _flush_behind(self, acknowledged: int | None) -> None:
        """Start a flush of what was acknowledged once `flush_every` more bytes were, one at
        a time; with None, wait for the one in flight. A server without fsync@openssh.com is
        not asked again; any other failed flush fails the upload."""
        flushing = self._flushing
        if flushing is not None and (acknowledged is None or flushing.done()):
            self._flushing = None
            try:
                await flushing
            except asyncssh.SFTPOpUnsupported:
                self._can_flush = False
        if (
            acknowledged is not None
            and self._can_flush
            and self._flushing is None
            and acknowledged - self._flushed >= self._flush_every
        ):
            self._flushed = acknowledged
            self._flushing = asyncio.ensure_future(self._writer.fsync())

    async def finish(self) -> tuple[int, str, str]:
        """After the builder returned: send the rest, wait for the read-back; (size, sent, read)."""
        if self._buffer:
            await self._send_buffer()
        self._queue.put_nowait(None)
        verified, read_back = await self._read_back
        if verified != self._offset:
            raise asyncssh.SFTPFailure(f"read back {verified} of {self._offset} bytes")
        return self._offset, self._sent.hexdigest(), read_back

    async def abort(self) -> None:
        """Stop writing and reading back (the build or the transfer failed)."""
        self._read_back.cancel()
        for write in self._inflight:
            write.cancel()
        await asyncio.gather(self._read_back, *self._inflight, return_exceptions=True)
        self._inflight.clear()
