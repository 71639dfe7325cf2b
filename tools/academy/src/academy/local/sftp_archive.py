"""Local SFTP compliance archive: asyncssh on loopback, key auth, chrooted, a dir per operator."""

import asyncio
import logging
from pathlib import Path

import asyncssh

log = logging.getLogger(__name__)


def ensure_key(path: Path, *, algorithm: str = "ssh-ed25519") -> asyncssh.SSHKey:
    """Load or create an OpenSSH private key (public key written beside it as .pub)."""
    if path.exists():
        return asyncssh.read_private_key(str(path))
    key = asyncssh.generate_private_key(algorithm)
    path.parent.mkdir(parents=True, exist_ok=True)
    key.write_private_key(str(path))
    key.write_public_key(str(path) + ".pub")
    path.chmod(0o600)
    return key


def fingerprint(key_path: Path) -> str:
    """SHA256 fingerprint of a host key, as pinned by clients."""
    return str(asyncssh.read_private_key(str(key_path)).get_fingerprint("sha256"))


class _Server(asyncssh.SSHServer):
    def __init__(self, username: str, authorized: asyncssh.SSHAuthorizedKeys) -> None:
        self._username = username
        self._authorized = authorized

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if username != self._username:
            return False
        return self._authorized.validate(key, "127.0.0.1", "127.0.0.1") is not None


def prepare_root(root: Path, operators: list[str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for operator in operators:
        (root / operator).mkdir(parents=True, exist_ok=True)


def read_text(path: Path) -> str:
    return path.read_text()


async def serve(
    *,
    root: Path,
    port: int,
    host_key: Path,
    client_public_key: Path,
    username: str = "archive",
    operators: list[str] = (),  # type: ignore[assignment]
) -> asyncssh.SSHAcceptor:
    prepare_root(root, operators)
    authorized = asyncssh.import_authorized_keys(read_text(client_public_key))

    def sftp_factory(chan: asyncssh.SSHServerChannel[bytes]) -> asyncssh.SFTPServer:
        return asyncssh.SFTPServer(chan, chroot=str(root).encode())

    return await asyncssh.create_server(
        lambda: _Server(username, authorized),
        "127.0.0.1",
        port,
        server_host_keys=[str(host_key)],
        sftp_factory=sftp_factory,
        allow_scp=False,
    )


async def run_forever(**kwargs: object) -> None:
    server = await serve(**kwargs)  # type: ignore[arg-type]
    try:
        await asyncio.Event().wait()
    finally:
        server.close()
