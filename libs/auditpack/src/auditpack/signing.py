"""Ed25519 signing keys with ids and validity periods, and the keyring that rotates them.

Private keys load from a PKCS#8 PEM file, a raw 32-byte seed file, or base64 of the seed
(from a file or an environment secret). The key valid at a period's end signs its pack;
keys.json lists every key valid at some instant of the period.
"""

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from auditpack.manifest import KeysJson, encode_model
from auditpack.period import Period, utc_text
from auditpack.public_keys import KeyLoadError, PublicKey, key_fingerprint


def load_private_key(material: bytes) -> Ed25519PrivateKey:
    """PKCS#8 PEM (unencrypted), a raw 32-byte seed, or base64 text of the seed."""
    text = material.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text, password=None)
        except (ValueError, TypeError) as exc:
            raise KeyLoadError(f"unreadable PEM private key: {exc}") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyLoadError("the PEM key is not an Ed25519 key")
        return key
    if len(material) == 32:
        return Ed25519PrivateKey.from_private_bytes(material)
    try:
        seed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyLoadError("private key is neither PEM, 32 raw bytes nor base64") from exc
    if len(seed) != 32:
        raise KeyLoadError(f"an Ed25519 seed is 32 bytes, this is {len(seed)}")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key with its id and the half-open validity [valid_from, valid_until)."""

    key_id: str
    private_key: Ed25519PrivateKey
    valid_from: datetime
    valid_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.valid_from.tzinfo is None or (
            self.valid_until is not None and self.valid_until.tzinfo is None
        ):
            raise KeyLoadError(f"key {self.key_id}: validity bounds need a timezone")
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise KeyLoadError(f"key {self.key_id}: valid_until is not after valid_from")

    @property
    def public(self) -> PublicKey:
        return PublicKey(
            raw=_raw_public(self.private_key),
            key_id=self.key_id,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def signing_key_from_material(
    material: bytes,
    *,
    valid_from: datetime,
    valid_until: datetime | None = None,
    key_id: str | None = None,
) -> SigningKey:
    """A signing key from key bytes; the id defaults to the public key's fingerprint."""
    private = load_private_key(material)
    return SigningKey(
        key_id=key_id or key_fingerprint(_raw_public(private)),
        private_key=private,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def signing_key_from_file(
    path: Path,
    *,
    valid_from: datetime,
    valid_until: datetime | None = None,
    key_id: str | None = None,
) -> SigningKey:
    return signing_key_from_material(
        path.read_bytes(), valid_from=valid_from, valid_until=valid_until, key_id=key_id
    )


def signing_key_from_secret(
    secret_b64: str,
    *,
    valid_from: datetime,
    valid_until: datetime | None = None,
    key_id: str | None = None,
) -> SigningKey:
    """From an environment-provided secret: base64 of the 32-byte seed (or of a PEM)."""
    try:
        material = base64.b64decode(secret_b64.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyLoadError("the signing key secret is not base64") from exc
    return signing_key_from_material(
        material, valid_from=valid_from, valid_until=valid_until, key_id=key_id
    )


class NoSigningKeyError(LookupError):
    """No key in the ring is valid at the end of the period to sign."""


class KeyRing:
    """The signing keys over time, for rotation without breaking old packs."""

    def __init__(self, keys: Iterable[SigningKey]) -> None:
        self._keys = sorted(keys, key=lambda k: (k.valid_from, k.key_id))
        ids = [k.key_id for k in self._keys]
        if len(set(ids)) != len(ids):
            raise KeyLoadError("key ids in a keyring must be unique")
        if not self._keys:
            raise KeyLoadError("a keyring needs at least one key")

    @property
    def keys(self) -> Sequence[SigningKey]:
        return tuple(self._keys)

    def signer_for(self, period: Period) -> SigningKey:
        """The key valid at the period's end; the newest one if several are."""
        valid = [k for k in self._keys if k.public.valid_at(period.end)]
        if not valid:
            raise NoSigningKeyError(f"no signing key is valid at {utc_text(period.end)}")
        return valid[-1]

    def public_keys_for(self, period: Period) -> list[PublicKey]:
        return [k.public for k in self._keys if k.public.overlaps(period)]

    def keys_json(self, period: Period) -> bytes:
        """The canonical keys.json of a pack for `period`."""
        keys = [key.to_json() for key in self.public_keys_for(period)]
        return encode_model(KeysJson(keys=keys))


class KeyConfig(BaseModel):
    """One keyring entry in configuration; the key comes from exactly one source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key_id: str = Field(min_length=1)
    valid_from: datetime
    valid_until: datetime | None = None
    path: Path | None = None
    secret_env: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "KeyConfig":
        if (self.path is None) == (self.secret_env is None):
            raise ValueError("give exactly one of path or secret_env")
        return self


def load_keyring(spec_json: str, env: Mapping[str, str]) -> KeyRing:
    """A keyring from a JSON list of KeyConfig entries, secrets looked up in `env`.

    Example: `[{"key_id": "audit-2026", "valid_from": "2026-01-01T00:00:00Z",
    "secret_env": "AUDIT_SIGNING_KEY_2026"}]`.
    """
    try:
        configs = [KeyConfig.model_validate(item) for item in _json_list(spec_json)]
    except ValidationError as exc:
        raise KeyLoadError(f"invalid keyring configuration: {exc}") from exc
    keys: list[SigningKey] = []
    for config in configs:
        if config.path is not None:
            material = config.path.read_bytes()
        else:
            secret = env.get(config.secret_env or "")
            if not secret:
                raise KeyLoadError(f"key {config.key_id}: {config.secret_env} is not set")
            try:
                material = base64.b64decode(secret.strip(), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise KeyLoadError(f"key {config.key_id}: the secret is not base64") from exc
        keys.append(
            signing_key_from_material(
                material,
                key_id=config.key_id,
                valid_from=config.valid_from,
                valid_until=config.valid_until,
            )
        )
    return KeyRing(keys)


def _json_list(text: str) -> list[object]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeyLoadError(f"keyring configuration is not JSON: {exc}") from exc
    if not isinstance(value, list):
        raise KeyLoadError("keyring configuration must be a JSON list")
    return value
