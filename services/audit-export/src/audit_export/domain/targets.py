"""Per-operator SFTP archive targets: where each operator's nightly packs are delivered.

Configured as JSON (`{"op-123": {...}, ...}`) in a setting and/or a file. The JSON holds no
secrets: the client private key is a file path or the name of an environment variable that
holds it, so secrets stay in the secret store and key files can rotate without a restart.
"""

import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from contracts import identifiers

OPERATOR_ID = re.compile(identifiers.OPERATOR_ID_PATTERN)
FINGERPRINT = r"^SHA256:[A-Za-z0-9+/]{43}$"


class TargetConfigError(ValueError):
    """SFTP target configuration that cannot be used (the message names the operator)."""


class SftpTarget(BaseModel):
    """One operator's compliance archive: host, login, pinned host key and directory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(min_length=1)
    port: int = Field(default=22, ge=1, le=65535)
    username: str = Field(min_length=1)
    private_key_path: Path | None = Field(default=None, description="OpenSSH/PEM key file")
    private_key_env: str | None = Field(
        default=None, description="environment variable holding the private key text"
    )
    passphrase_env: str | None = Field(
        default=None, description="environment variable holding the key's passphrase"
    )
    host_key_fingerprint: Annotated[str, Field(pattern=FINGERPRINT)] = Field(
        description="the server host key's SHA256 fingerprint, as `ssh-keygen -lf` prints it"
    )
    remote_dir: str = Field(min_length=1, description="directory the packs are written to")

    @model_validator(mode="after")
    def _one_key_source(self) -> "SftpTarget":
        if (self.private_key_path is None) == (self.private_key_env is None):
            raise ValueError("give exactly one of private_key_path or private_key_env")
        if "\x00" in self.remote_dir:
            raise ValueError("remote_dir contains NUL")
        return self

    def describe(self) -> str:
        return f"sftp://{self.username}@{self.host}:{self.port}{self.remote_path('')}"

    def remote_path(self, name: str) -> str:
        base = self.remote_dir.rstrip("/") or "/"
        if not name:
            return base
        return f"{base}/{name}" if base != "/" else f"/{name}"

    def public_view(self) -> dict[str, Any]:
        """Everything but where the secret comes from (for APIs and logs)."""
        return {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "host_key_fingerprint": self.host_key_fingerprint,
            "remote_dir": self.remote_dir,
        }


Targets = dict[str, SftpTarget]


def parse_targets(text: str, *, source: str) -> Targets:
    """`{"operator_id": {target}, ...}` from JSON text; errors name the source and operator."""
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TargetConfigError(f"{source}: not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise TargetConfigError(f"{source}: expected a JSON object keyed by operator id")
    targets: Targets = {}
    for operator_id, value in raw.items():
        if not OPERATOR_ID.match(operator_id):
            raise TargetConfigError(f"{source}: {operator_id!r} is not a valid operator id")
        try:
            targets[operator_id] = SftpTarget.model_validate(value)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'target'}: {e['msg']}"
                for e in exc.errors()
            )
            raise TargetConfigError(f"{source}: operator {operator_id}: {problems}") from exc
    return targets


def merge_targets(*sources: Targets) -> Targets:
    """Union of several configurations; an operator configured twice is an error."""
    merged: Targets = {}
    for targets in sources:
        for operator_id, target in targets.items():
            if operator_id in merged:
                raise TargetConfigError(f"operator {operator_id} has more than one SFTP target")
            merged[operator_id] = target
    return merged
