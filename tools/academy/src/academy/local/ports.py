"""Loopback ports: the local mesh's layout, and waiting for servers to come up."""

import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from academy_runtime.cli import DEFAULT_BASE_PORT, PORT_OFFSETS

if TYPE_CHECKING:
    from academy.services import ServiceSpec


def _default(component: str) -> int:
    return DEFAULT_BASE_PORT + PORT_OFFSETS[component]


@dataclass
class Ports:
    """Where each process of a local mesh listens (the service CLIs' default URLs agree)."""

    issuer: int = _default("issuer")
    catalogue: int = _default("catalogue")
    assessment: int = _default("assessment")
    release_bridge: int = _default("release-bridge")
    audit_export: int = _default("audit-export")
    portal: int = _default("portal")
    sftp: int = _default("sftp")
    kafka: int = 19092

    @classmethod
    def from_base(cls, base: int, *, kafka: int) -> "Ports":
        """The layout `academy up --base-port` uses: `PORT_OFFSETS` from the base port."""
        return cls(
            **{name.replace("-", "_"): base + offset for name, offset in PORT_OFFSETS.items()},
            kafka=kafka,
        )

    def of(self, spec: "ServiceSpec") -> int:
        return int(getattr(self, spec.name.replace("-", "_")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_port(port: int, *, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port, host):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout:.0f}s")
