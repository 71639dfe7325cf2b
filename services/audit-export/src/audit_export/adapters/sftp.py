"""Deliver a pack to an operator's SFTP archive: temporary name, verify, then rename.

The host key must match the pinned SHA256 fingerprint (no known_hosts file, no agent, no
ssh config is consulted). The pack is streamed into `.{name}.part` while it is built and read
back as it lands (`sftp_stream`, which also flushes it to disk as it goes); then the rest of
the file is flushed (fsync@openssh.com when offered), its remote size and the SHA-256 of the
bytes read back are checked against what was sent, the caller accepts the result (records
the pack), and only then the file is renamed to `name` (posix-rename@openssh.com, which
replaces atomically). So a reader of the archive never sees a partial or corrupt file under
the final name.
"""

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar, cast

import asyncssh

from audit_export.adapters.sftp_stream import FLUSH_EVERY, Progress, RemoteSink, SinkError
from audit_export.domain.targets import SftpTarget

T = TypeVar("T")
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
#: Writes the pack into the given (synchronous) file object; returns what the build yields.
Produce = Callable[[BinaryIO], Awaitable[T]]
#: Called with the build's result and the verified upload, before the rename; may refuse.
Accept = Callable[[T, "Delivery"], Awaitable[None]]


class DeliveryError(Exception):
    """A failed delivery; `reason` is a short stable label (metrics), the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Delivery:
    remote_path: str
    size: int
    sha256: str


class _NotDelivery(Exception):
    """Carries an error of the build or of the caller's accept step out unclassified."""

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

    async def deliver_streamed(
        self, target: SftpTarget, *, name: str, produce: Produce[T], accept: Accept[T]
    ) -> tuple[T, Delivery]:
        """Build the pack straight into the archive and deliver it; raises DeliveryError for
        the transfer, and whatever `produce` or `accept` raise, unchanged."""
        key = self._client_key(target)
        pinned = _PinnedHostKey(target.host_key_fingerprint)
        where = f"{target.username}@{target.host}:{target.port}"
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
                    result = await self._stream(sftp, target, name, produce, accept)
        except _NotDelivery as exc:
            raise exc.cause from None
        except SinkError as exc:
            raise _classify(exc.cause, where, target, pinned) from exc.cause
        except DeliveryError:
            raise
        except (OSError, asyncssh.Error) as exc:
            raise _classify(exc, where, target, pinned) from exc
        return result

    async def _stream(
        self,
        sftp: asyncssh.SFTPClient,
        target: SftpTarget,
        name: str,
        produce: Produce[T],
        accept: Accept[T],
    ) -> tuple[T, Delivery]:
        partial, final = target.remote_path(f".{name}.part"), target.remote_path(name)
        async with sftp.open(partial, "wb") as writer, sftp.open(partial, "rb") as reader:
            sink = RemoteSink(
                asyncio.get_running_loop(),
                partial,
                writer,
                reader,
                chunk=self._chunk,
                window=WINDOW,
                progress=self._progress,
                flush_every=self._flush_every,
            )
            try:
                result = await produce(cast(BinaryIO, sink))
            except SinkError:
                await sink.abort()
                raise
            except BaseException as exc:
                await sink.abort()
                with contextlib.suppress(asyncssh.Error, OSError):
                    await sftp.remove(partial)
                raise _NotDelivery(exc) from exc
            size, sent, read_back = await sink.finish()
            with contextlib.suppress(asyncssh.SFTPOpUnsupported):
                await writer.fsync()
        remote_size = (await sftp.stat(partial)).size
        if (remote_size, read_back) != (size, sent):
            with contextlib.suppress(asyncssh.Error, OSError):
                await sftp.remove(partial)
            raise DeliveryError(
                "verify",
                f"{partial}: {remote_size} bytes read back with SHA-256 {read_back}; "
                f"sent {size} bytes with SHA-256 {sent}",
            )
        delivery = Delivery(remote_path=final, size=size, sha256=sent)
        try:
            await accept(result, delivery)
        except BaseException as exc:
            with contextlib.suppress(asyncssh.Error, OSError):
                await sftp.remove(partial)
            if isinstance(exc, DeliveryError):
                raise
            raise _NotDelivery(exc) from exc
        try:
            await sftp.posix_rename(partial, final)
        except asyncssh.SFTPOpUnsupported:
            with contextlib.suppress(asyncssh.SFTPNoSuchFile):
                await sftp.remove(final)
            await sftp.rename(partial, final)
        if (await sftp.stat(final)).size != size:
            raise DeliveryError("verify", f"{final} changed size during the rename")
        return result, delivery


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
