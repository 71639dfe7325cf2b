import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
from auditpack_builders import DAY, EPOCH, at, build_bytes, handful, private_key, signing_key, write
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from auditpack.period import Period
from auditpack.public_keys import (
    KeyLoadError,
    export_public_keys,
    key_fingerprint,
    load_trusted_keys,
)
from auditpack.signing import (
    KeyRing,
    NoSigningKeyError,
    load_keyring,
    signing_key_from_file,
    signing_key_from_secret,
)
from auditpack.verify import verify_pack

ROTATION = at(DAY, 12)


def _seed(label: str) -> bytes:
    return private_key(label).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _rotating_ring() -> KeyRing:
    return KeyRing(
        [
            signing_key("k-2026a", valid_until=ROTATION),
            signing_key("k-2026b", valid_from=ROTATION),
        ]
    )


def test_private_keys_load_from_pem_raw_and_base64_files_to_the_same_key(tmp_path: Path) -> None:
    key = private_key("k")
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    raw = _seed("k")
    expected = signing_key("k").public.raw
    for name, content in (("k.pem", pem), ("k.raw", raw), ("k.b64", base64.b64encode(raw) + b"\n")):
        loaded = signing_key_from_file(write(tmp_path / name, content), valid_from=EPOCH)
        assert loaded.public.raw == expected
        assert loaded.key_id == key_fingerprint(expected)


def test_a_non_ed25519_pem_key_is_refused(tmp_path: Path) -> None:
    pem = X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(KeyLoadError, match="not an Ed25519 key"):
        signing_key_from_file(write(tmp_path / "x.pem", pem), valid_from=EPOCH)


def test_keys_load_from_an_environment_secret() -> None:
    secret = base64.b64encode(_seed("env")).decode()
    key = signing_key_from_secret(secret, key_id="env-key", valid_from=EPOCH)
    assert key.public.raw == signing_key("env").public.raw
    with pytest.raises(KeyLoadError):
        signing_key_from_secret("not base64!", valid_from=EPOCH)


def test_keyring_configuration_reads_secrets_from_the_given_environment(tmp_path: Path) -> None:
    path = write(tmp_path / "old.raw", _seed("old"))
    spec = json.dumps(
        [
            {
                "key_id": "old",
                "valid_from": "2026-01-01T00:00:00Z",
                "valid_until": "2026-11-24T12:00:00Z",
                "path": str(path),
            },
            {"key_id": "new", "valid_from": "2026-11-24T12:00:00Z", "secret_env": "AUDIT_KEY_NEW"},
        ]
    )
    ring = load_keyring(spec, {"AUDIT_KEY_NEW": base64.b64encode(_seed("new")).decode()})
    assert [k.key_id for k in ring.keys] == ["old", "new"]
    with pytest.raises(KeyLoadError, match="AUDIT_KEY_NEW is not set"):
        load_keyring(spec, {})
    with pytest.raises(KeyLoadError):
        load_keyring(json.dumps([{"key_id": "x", "valid_from": "2026-01-01T00:00:00Z"}]), {})


def test_the_key_valid_at_the_period_end_signs_and_keys_json_lists_all_keys_of_the_period() -> None:
    ring = _rotating_ring()
    today, yesterday, tomorrow = (Period.day(DAY + timedelta(days=n)) for n in (0, -1, 1))
    assert ring.signer_for(today).key_id == "k-2026b"
    assert [k.key_id for k in ring.public_keys_for(today)] == ["k-2026a", "k-2026b"]
    assert ring.signer_for(yesterday).key_id == "k-2026a"
    assert [k.key_id for k in ring.public_keys_for(yesterday)] == ["k-2026a"]
    assert [k.key_id for k in ring.public_keys_for(tomorrow)] == ["k-2026b"]


def test_a_key_expiring_exactly_at_the_period_end_does_not_sign() -> None:
    midnight = Period.day(DAY).end
    ring = KeyRing([signing_key("a", valid_until=midnight), signing_key("b", valid_from=midnight)])
    assert ring.signer_for(Period.day(DAY)).key_id == "b"
    with pytest.raises(NoSigningKeyError):
        KeyRing([signing_key("a", valid_until=midnight)]).signer_for(Period.day(DAY))


def test_a_pack_signed_across_a_rotation_verifies_with_the_exported_key_file(
    tmp_path: Path,
) -> None:
    ring = _rotating_ring()
    pack = write(tmp_path / "p.zip", build_bytes(handful(), ring=ring)[0])
    key_file = write(tmp_path / "keys.json", export_public_keys([k.public for k in ring.keys]))
    trusted = load_trusted_keys(str(key_file))
    assert [k.key_id for k in trusted] == ["k-2026a", "k-2026b"]
    result = verify_pack(pack, trusted_keys=trusted)
    assert result.ok, result.failures
    assert result.manifest is not None
    assert result.manifest.key_id == "k-2026b"


def test_trusted_keys_accept_a_raw_base64_key_a_pem_file_and_a_single_key_object(
    tmp_path: Path,
) -> None:
    public = signing_key().public
    assert load_trusted_keys(public.b64)[0].raw == public.raw
    pem = (
        private_key("test-key")
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert load_trusted_keys(str(write(tmp_path / "k.pem", pem)))[0].raw == public.raw
    single = json.dumps(public.to_json().model_dump())
    assert (
        load_trusted_keys(str(write(tmp_path / "one.json", single.encode())))[0].key_id
        == "test-key"
    )


@pytest.mark.parametrize("spec", ["no-such-file.json", "AAAA", "{}", '{"keys": []}'])
def test_unusable_trusted_keys_are_refused(spec: str) -> None:
    with pytest.raises(KeyLoadError):
        load_trusted_keys(spec)
