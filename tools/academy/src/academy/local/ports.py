"""The local mesh's port layout (free ports and waiting for them live in academy_testkit.ports)."""

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
