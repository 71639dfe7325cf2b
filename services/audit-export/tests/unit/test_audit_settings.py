"""SFTP targets and signing keys in configuration: refused early, with the variable's name."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from audit_export.domain.targets import TargetConfigError, merge_targets, parse_targets
from audit_export.settings import AuditExportSettings

FINGERPRINT = "SHA256:" + "x" * 43


def target(**over: object) -> dict[str, object]:
    value: dict[str, object] = {
        "host": "sftp.op-1.example",
        "username": "academy",
        "private_key_env": "OP1_SFTP_KEY",
        "host_key_fingerprint": FINGERPRINT,
        "remote_dir": "/incoming/audit",
    }
    value.update(over)
    return value


def test_targets_parse_with_defaults_and_hide_the_key_source() -> None:
    [(operator, parsed)] = parse_targets(json.dumps({"op-1": target()}), source="env").items()
    assert (operator, parsed.port) == ("op-1", 22)
    assert parsed.remote_path("auditpack-op-1-2031-03-09.zip") == (
        "/incoming/audit/auditpack-op-1-2031-03-09.zip"
    )
    assert "private_key_env" not in parsed.public_view()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"op-1": target(host_key_fingerprint="md5:aa")}, "operator op-1: host_key_fingerprint"),
        ({"op-1": target(private_key_path="/k")}, "exactly one of private_key_path"),
        ({"../op": target()}, "not a valid operator id"),
        ({"op-1": target(extra=1)}, "operator op-1: extra"),
    ],
)
def test_a_bad_target_is_refused_naming_the_operator_and_field(
    bad: dict[str, object], message: str
) -> None:
    with pytest.raises(TargetConfigError, match=message):
        parse_targets(json.dumps(bad), source="AUDIT_EXPORT_SFTP_TARGETS")


def test_an_operator_configured_twice_is_refused() -> None:
    one = parse_targets(json.dumps({"op-1": target()}), source="a")
    with pytest.raises(TargetConfigError, match="more than one"):
        merge_targets(one, one)


def test_settings_merge_inline_targets_with_a_targets_file(tmp_path: Path) -> None:
    extra = tmp_path / "targets.json"
    extra.write_text(json.dumps({"op-2": target()}))
    settings = AuditExportSettings(
        environment="test",
        sftp_targets=json.dumps({"op-1": target()}),
        sftp_targets_file=extra,
    )
    assert sorted(settings.targets()) == ["op-1", "op-2"]


def test_production_refuses_to_start_without_signing_keys() -> None:
    with pytest.raises(ValidationError, match="AUDIT_EXPORT_SIGNING_KEYS is required"):
        AuditExportSettings(
            environment="production", database_url="postgresql://u:real-secret@db/academy"
        )


def test_a_malformed_keyring_is_refused_at_configuration_time() -> None:
    with pytest.raises(ValidationError, match="give exactly one of path or secret_env"):
        AuditExportSettings(
            environment="test",
            signing_keys=json.dumps([{"key_id": "k", "valid_from": "2031-01-01T00:00:00Z"}]),
        )


def test_the_export_time_is_read_as_utc_hours_and_minutes() -> None:
    settings = AuditExportSettings(environment="test", export_at_utc="02:30")
    assert settings.export_at_utc.isoformat() == "02:30:00"
