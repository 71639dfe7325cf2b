"""audit-export settings (env prefix AUDIT_EXPORT_)."""

import json
import os
from datetime import time
from pathlib import Path
from typing import ClassVar

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings
from audit_export.domain.targets import TargetConfigError, Targets, merge_targets, parse_targets
from auditpack.signing import KeyConfig, KeyRing, load_keyring


class AuditExportSettings(ServiceSettings):
    service_name: ClassVar[str] = "audit-export"
    model_config = SettingsConfigDict(env_prefix="AUDIT_EXPORT_", extra="ignore")

    required_outside_local: ClassVar[tuple[str, ...]] = (
        *ServiceSettings.required_outside_local,
        "signing_keys",
    )

    http_port: int = 8104
    # Off every user's path (packs are built nightly): the broker gathers records before
    # answering a fetch, so ingest works in large batches, at a fraction of the CPU per event.
    kafka_fetch_min_bytes: int = Field(
        default=256 * 1024,
        ge=1,
        description="record bytes the broker gathers before answering a consumer fetch (up to "
        "the fetch max wait): large, so ingest runs in large batches",
    )

    signing_keys: str = Field(
        default="",
        description="JSON keyring: [{key_id, valid_from, valid_until?, path | secret_env}] "
        "(required outside local/test)",
    )
    sftp_targets: str = Field(
        default="",
        description="JSON {operator_id: {host, port, username, private_key_path | "
        "private_key_env, host_key_fingerprint, remote_dir}}",
    )
    sftp_targets_file: Path | None = Field(
        default=None, description="a file with more SFTP targets, same JSON shape"
    )
    export_at_utc: time = Field(
        default=time(1, 0), description="nightly export time, UTC (HH:MM): yesterday's packs"
    )
    export_poll_interval_s: float = Field(
        default=60.0, gt=0, description="how often the scheduler looks for due packs and retries"
    )
    export_attempts_per_pass: int = Field(
        default=3, ge=1, description="delivery tries per pack per pass"
    )
    export_attempt_backoff_s: float = Field(
        default=2.0, ge=0, description="pause after the first failed try, doubling"
    )
    export_retry_base_s: float = Field(
        default=60.0, gt=0, description="first retry delay after a failed pass, doubling"
    )
    export_retry_cap_s: float = Field(default=3600.0, gt=0, description="longest retry delay")
    export_work_dir: Path | None = Field(
        default=None, description="temporary pack files (about twice the largest pack)"
    )
    sftp_connect_timeout_s: float = Field(default=30.0, gt=0)
    sftp_transfer_timeout_s: float = Field(
        default=3600.0, gt=0, description="one whole delivery: connect, upload, verify, rename"
    )
    inspection_max_days: int = Field(
        default=93, ge=1, description="longest date range of an inspection bundle"
    )

    @model_validator(mode="after")
    def _check_export_settings(self) -> "AuditExportSettings":
        if self.signing_keys.strip():  # required outside local/test (required_outside_local)
            _check_keyring_shape(self.signing_keys)
        self.targets()
        return self

    def targets(self) -> Targets:
        """Every configured SFTP target (setting and file); raises TargetConfigError."""
        inline = parse_targets(self.sftp_targets, source="AUDIT_EXPORT_SFTP_TARGETS")
        from_file: Targets = {}
        if self.sftp_targets_file is not None:
            try:
                text = self.sftp_targets_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise TargetConfigError(f"AUDIT_EXPORT_SFTP_TARGETS_FILE: {exc}") from exc
            from_file = parse_targets(text, source=str(self.sftp_targets_file))
        return merge_targets(inline, from_file)

    def keyring(self) -> KeyRing | None:
        """The signing keyring (secrets read from the environment now), or None if unset."""
        if not self.signing_keys.strip():
            return None
        return load_keyring(self.signing_keys, os.environ)


def _check_keyring_shape(text: str) -> None:
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"AUDIT_EXPORT_SIGNING_KEYS is not JSON: {exc}") from exc
    if not isinstance(entries, list) or not entries:
        raise ValueError("AUDIT_EXPORT_SIGNING_KEYS must be a non-empty JSON list")
    for entry in entries:
        try:
            KeyConfig.model_validate(entry)
        except ValidationError as exc:
            raise ValueError(f"AUDIT_EXPORT_SIGNING_KEYS: {exc}") from exc
