"""A real OpenSSH `sshd` on loopback for tests and benchmarks (key auth, host key pinned).

Runs `sshd -D -e -f <config>` as a child process with its own host key, authorized key and
pid file under a work directory; `stop()` ends the listener and every connection process it
forked (found through /proc by parent id: sshd puts each connection in a session of its
own), so "archive down" really drops live transfers.
"""

import contextlib
import getpass
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from academy_testkit.ports import free_port, port_open

SSHD = os.environ.get("ACADEMY_SSHD", shutil.which("sshd") or "/usr/sbin/sshd")
PRIVSEP_DIR = Path("/run/sshd")


def make_key(path: Path) -> Path:
    """An unencrypted ed25519 key pair in OpenSSH format (`path`, `path.pub`)."""
    if not path.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)],
            check=True,
        )
    return path


def fingerprint(public_key_path: Path) -> str:
    """`SHA256:…` fingerprint of a public key file, as pinned by clients."""
    return str(asyncssh.read_public_key(str(public_key_path)).get_fingerprint("sha256"))


@dataclass
class OpenSshServer:
    """One sshd on 127.0.0.1 serving SFTP (internal-sftp) to `user` with `client_key`."""

    workdir: Path
    port: int = field(default_factory=free_port)
    user: str = field(default_factory=getpass.getuser)
    #: extra sshd_config lines (e.g. `ForceCommand internal-sftp -R` for a read-only archive)
    extra_config: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host_key = make_key(self.workdir / "ssh_host_ed25519_key")
        self.client_key = make_key(self.workdir / "client_key")
        self.authorized_keys = self.workdir / "authorized_keys"
        self.authorized_keys.write_bytes(Path(f"{self.client_key}.pub").read_bytes())
        self.log_path = self.workdir / "sshd.log"

    @property
    def host_fingerprint(self) -> str:
        return fingerprint(Path(f"{self.host_key}.pub"))

    def config_text(self) -> str:
        lines = [
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self.host_key}",
            f"PidFile {self.workdir / 'sshd.pid'}",
            f"AuthorizedKeysFile {self.authorized_keys}",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            f"AllowUsers {self.user}",
            "Subsystem sftp internal-sftp",
            "LogLevel VERBOSE",
            *self.extra_config,
        ]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 15.0) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        if os.geteuid() == 0 and not PRIVSEP_DIR.exists():
            PRIVSEP_DIR.mkdir(mode=0o755)  # sshd's compiled-in privilege separation directory
        config = self.workdir / "sshd_config"
        config.write_text(self.config_text())
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited: {self.log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"sshd not listening on {self.port}; see {self.log_path}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGKILL) -> None:
        """End sshd and every connection process it forked."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for pid in [*_descendants(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _descendants(root: int) -> list[int]:
    """Every process below `root` (children first listed last), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    found: list[int] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found
