"""Deliver a pack to an operator's SFTP archive: temporary name, verify, then rename.

The host key must match the pinned SHA256 fingerprint (no known_hosts file, no agent, no
ssh config is consulted). `SftpUploader.upload(target, name)` opens `.{name}.part`; the
caller writes the pack into it while it is built (read back as it lands: `sftp_stream`,
which also flushes it to disk as it goes); `verify()` flushes the rest (fsync@openssh.com
when offered) and checks the remote size and the SHA-256 of the bytes read back against what
was sent; the caller records the pack; only then `publish()` renames the file to `name`
(posix-rename@openssh.com, which replaces atomically). Leaving the block any other way
removes the partial file. So a reader of the archive never sees a partial or corrupt file
under the final name. Transfer failures are DeliveryErrors; the caller's own errors pass
through unchanged.
"""

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import asyncssh

from audit_export.adapters.sftp_stream import FLUSH_EVERY, Progress, RemoteSink
from audit_export.domain.targets import SftpTarget
from audit_export.service.ports import Delivery, DeliveryError

CHUNK = 1024 * 1024
WINDOW = 16
#: Our receive window and packet size: fewer, larger packets for the read-back (asyncssh's
#: per-packet cost dominates; the defaults are 2 MiB and 32 KiB).
READ_WINDOW = 16 * 1024 * 1024
READ_PACKET = 256 * 1024
#: AES-GCM first: hardware-accelerated, about twice asyncssh's chacha20 throughput here.
CIPHERS = (
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
)


class _NotDelivery(Exception):
    """Carries an error of the caller's (the build's, the recording's) out unclassified."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _PinnedHostKey(asyncssh.SSHClient):
    """Accept the server only if its host key has the pinned fingerprint."""

    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint
        self.presented: str | None = None

    def validate_host_public_key(self, host: str, addr: str, port: int, key: Any) -> bool:
        self.presented = str(key.get_fingerprint("sha256"))
        return self.presented == self._fingerprint


class SftpUploader:
    def __init__(
        self,
        *,
        connect_timeout_s: float = 30.0,
        transfer_timeout_s: float = 3600.0,
        env: Mapping[str, str] | None = None,
        chunk_size: int = CHUNK,
        progress: Progress | None = None,
        flush_every: int = FLUSH_EVERY,
    ) -> None:
        self._connect_timeout = connect_timeout_s
        self._transfer_timeout = transfer_timeout_s
        self._env = env if env is not None else os.environ
        self._chunk = chunk_size
        self._progress = progress
        self._flush_every = flush_every

    def _client_key(self, target: SftpTarget) -> Any:
        passphrase = self._env.get(target.passphrase_env) if target.passphrase_env else None
        try:
            if target.private_key_path is not None:
                return asyncssh.read_private_key(str(target.private_key_path), passphrase)
            text = self._env.get(target.private_key_env or "")
            if not text:
                raise DeliveryError("client_key", f"{target.private_key_env} is not set")
            return asyncssh.import_private_key(text, passphrase)
        except (OSError, asyncssh.KeyImportError) as exc:
            raise DeliveryError("client_key", f"cannot load the SFTP client key: {exc}") from exc

    @contextlib.asynccontextmanager
    async def upload(self, target: SftpTarget, name: str) -> AsyncIterator["SftpUpload"]:
        """An upload of `name` into the target's directory, published only by `publish()`;
        raises DeliveryError for the transfer and whatever the block raises, unchanged."""
        key = self._client_key(target)
        pinned = _PinnedHostKey(target.host_key_fingerprint)
        where = f"{target.username}@{target.host}:{target.port}"

        def classify(exc: BaseException) -> DeliveryError:
            return _classify(exc, where, target, pinned)

        try:
            async with asyncio.timeout(self._transfer_timeout):
                conn = await asyncssh.connect(
                    target.host,
                    target.port,
                    username=target.username,
                    client_keys=[key],
                    client_factory=lambda: pinned,
                    known_hosts=lambda _h, _a, _p: ([], [], []),
                    server_host_key_algs="default",
                    agent_path=None,
                    config=None,
                    preferred_auth="publickey",
                    encryption_algs=CIPHERS,
                    connect_timeout=self._connect_timeout,
                    login_timeout=self._connect_timeout,
                    # Read-back: the server may send large packets into a deep window.
                    window=READ_WINDOW,
                    max_pktsize=READ_PACKET,
                )
                async with conn, conn.start_sftp_client() as sftp:
                    partial = target.remote_path(f".{name}.part")
                    async with (
                        sftp.open(partial, "wb") as writer,
                        sftp.open(partial, "rb") as reader,
                    ):
                        sink = RemoteSink(
                            partial,
                            writer,
                            reader,
                            chunk=self._chunk,
                            window=WINDOW,
                            progress=self._progress,
                            flush_every=self._flush_every,
                        )
                        upload = SftpUpload(
                            sftp,
                            (writer, reader),
                            sink,
                            partial,
                            target.remote_path(name),
                            classify,
                        )
                        try:
                            yield upload
                        except (DeliveryError, asyncio.CancelledError):
                            await upload.discard()
                            raise
                        except BaseException as exc:
                            await upload.discard()
                            raise _NotDelivery(exc) from exc
                        if not upload.published:
                            await upload.discard()
        except _NotDelivery as exc:
            raise exc.cause from None
        except DeliveryError:
            raise
        except (OSError, asyncssh.Error) as exc:
            raise classify(exc) from exc


class SftpUpload:
    """One pack going into the archive under its temporary name (see the module's doc)."""

    def __init__(
        self,
        sftp: asyncssh.SFTPClient,
        handles: tuple[asyncssh.SFTPClientFile, asyncssh.SFTPClientFile],
        sink: RemoteSink,
        partial: str,
        final: str,
        classify: Callable[[BaseException], DeliveryError],
    ) -> None:
        self._sftp, self._sink = sftp, sink
        self._writer, self._reader = handles
        self._partial, self._final = partial, final
        self._classify = classify
        self._delivery: Delivery | None = None
        self.published = False

    @contextlib.contextmanager
    def _transfer(self) -> Iterator[None]:
        """A failure of the transfer itself, as a DeliveryError with a stable reason."""
        try:
            yield
        except (OSError, asyncssh.Error) as exc:
            raise self._classify(exc) from exc

    async def write(self, data: bytes) -> None:
        with self._transfer():
            await self._sink.write(data)

    async def verify(self) -> Delivery:
        """All sent, flushed, read back: the delivery, once its size and hash check out."""
        with self._transfer():
            size, sent, read_back = await self._sink.finish()
            with contextlib.suppress(asyncssh.SFTPOpUnsupported):
                await self._writer.fsync()
            remote_size = (await self._sftp.stat(self._partial)).size
        if (remote_size, read_back) != (size, sent):
            raise DeliveryError(
                "verify",
                f"{self._partial}: {remote_size} bytes read back with SHA-256 {read_back}; "
                f"sent {size} bytes with SHA-256 {sent}",
            )
        self._delivery = Delivery(remote_path=self._final, size=size, sha256=sent)
        return self._delivery

    async def publish(self) -> None:
        """Give the verified file its final name (atomically where the server can)."""
        if self._delivery is None:
            raise DeliveryError("verify", f"{self._partial}: published before it was verified")
        with self._transfer():
            await self._close_handles()  # some servers refuse to rename a file still open
            try:
                await self._sftp.posix_rename(self._partial, self._final)
            except asyncssh.SFTPOpUnsupported:
                with contextlib.suppress(asyncssh.SFTPNoSuchFile):
                    await self._sftp.remove(self._final)
                await self._sftp.rename(self._partial, self._final)
            final_size = (await self._sftp.stat(self._final)).size
        if final_size != self._delivery.size:
            raise DeliveryError("verify", f"{self._final} changed size during the rename")
        self.published = True

    async def discard(self) -> None:
        """Stop the transfer and remove the partial file (best effort: it may be gone)."""
        await self._sink.abort()
        with contextlib.suppress(asyncssh.Error, OSError):
            await self._close_handles()
        with contextlib.suppress(asyncssh.Error, OSError):
            await self._sftp.remove(self._partial)

    async def _close_handles(self) -> None:
        """Close both handles on the partial file (closing again on leaving is a no-op)."""
        await self._writer.close()
        await self._reader.close()


def _classify(
    exc: BaseException, where: str, target: SftpTarget, pinned: _PinnedHostKey
) -> DeliveryError:
    """A transfer failure as a DeliveryError with a stable reason and a clear message."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return DeliveryError(
            "host_key",
            f"{where}: host key {pinned.presented or '?'} does not match the pinned "
            f"fingerprint {target.host_key_fingerprint}; refusing to connect",
        )
    if isinstance(exc, asyncssh.PermissionDenied):
        return DeliveryError(
            "auth", f"{where}: authentication refused for user {target.username}: {exc}"
        )
    if isinstance(exc, asyncssh.SFTPConnectionLost | asyncssh.SFTPNoConnection):
        return DeliveryError("unreachable", f"{where}: connection lost: {exc}")
    if isinstance(exc, asyncssh.SFTPPermissionDenied):
        return DeliveryError(
            "permission", f"{where}: permission denied in {target.remote_dir}: {exc}"
        )
    if isinstance(exc, asyncssh.SFTPNoSuchFile):
        return DeliveryError("remote_dir", f"{where}: {target.remote_dir} does not exist: {exc}")
    if isinstance(exc, asyncssh.SFTPError):
        return DeliveryError("sftp", f"{where}: SFTP error: {exc}")
    if isinstance(exc, TimeoutError):
        return DeliveryError("timeout", f"{where}: timed out")
    return DeliveryError("unreachable", f"{where}: {exc.__class__.__name__}: {exc}")
