"""Ed25519 public keys: keys.json entries and the key file inspectors pin.

The public key file format for inspectors is the keys.json format itself (`{"keys": [...]}`,
each key with key_id, alg, public_key as base64 of the raw 32 bytes, valid_from and
valid_until), so one file can carry every key the vendor has used. `load_trusted_keys` also
accepts a single key object, an Ed25519 PEM public key, or a bare base64 raw key.
"""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from auditpack.manifest import KeyJson, KeysJson
from auditpack.period import Period, parse_utc, utc_text

ALG: Final = "Ed25519"
PUBLIC_KEY_FILE = "academy-audit-public-keys.json"


class KeyLoadError(ValueError):
    """Key material that cannot be read as what it claims to be."""


def b64_raw_key(text: str) -> bytes:
    """Strict base64 of exactly 32 raw key bytes."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyLoadError("not base64") from exc
    if len(raw) != 32:
        raise KeyLoadError(f"an Ed25519 key is 32 bytes, this is {len(raw)}")
    return raw


def key_fingerprint(raw_public: bytes) -> str:
    """A default key id derived from the public key (stable, collision-resistant enough)."""
    return "ed25519-" + hashlib.sha256(raw_public).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A verification key; key_id and validity are None for a bare key given on the CLI."""

    raw: bytes
    key_id: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise KeyLoadError("an Ed25519 public key is 32 bytes")

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def valid_at(self, moment: datetime) -> bool:
        if self.valid_from is not None and moment < self.valid_from:
            return False
        return self.valid_until is None or moment < self.valid_until

    def overlaps(self, period: Period) -> bool:
        """Valid at some instant of the closed period [start, end]."""
        if self.valid_from is not None and self.valid_from > period.end:
            return False
        return self.valid_until is None or self.valid_until > period.start

    def to_json(self) -> KeyJson:
        if self.key_id is None or self.valid_from is None:
            raise KeyLoadError("a listed key needs a key id and a valid_from")
        return KeyJson(
            key_id=self.key_id,
            alg=ALG,
            public_key=self.b64,
            valid_from=utc_text(self.valid_from),
            valid_until=None if self.valid_until is None else utc_text(self.valid_until),
        )

    @classmethod
    def from_json(cls, entry: KeyJson) -> "PublicKey":
        raw = b64_raw_key(entry.public_key)
        if base64.b64encode(raw).decode("ascii") != entry.public_key:
            raise KeyLoadError(f"key {entry.key_id}: public_key is not canonical base64")
        return cls(
            raw=raw,
            key_id=entry.key_id,
            valid_from=parse_utc(entry.valid_from),
            valid_until=None if entry.valid_until is None else parse_utc(entry.valid_until),
        )


def export_public_keys(keys: list[PublicKey]) -> bytes:
    """The inspector key file: the keys.json shape, indented for people to read."""
    document = KeysJson(keys=[key.to_json() for key in keys]).model_dump(mode="json")
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def _keys_from_json(value: object) -> list[PublicKey]:
    try:
        if isinstance(value, dict) and "keys" in value:
            entries = KeysJson.model_validate(value).keys
        else:
            entries = [KeyJson.model_validate(value)]
        return [PublicKey.from_json(entry) for entry in entries]
    except (ValidationError, ValueError) as exc:
        raise KeyLoadError(f"not a public key file: {exc}") from exc


def parse_trusted_keys(text: str) -> list[PublicKey]:
    """Key file content (JSON, PEM) or a bare base64 raw public key."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(stripped.encode())
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise KeyLoadError(f"unreadable PEM public key: {exc}") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise KeyLoadError("the PEM key is not an Ed25519 key")
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return [PublicKey(raw=raw)]
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise KeyLoadError(f"key file is not JSON: {exc}") from exc
        keys = _keys_from_json(value)
        if not keys:
            raise KeyLoadError("the key file lists no keys")
        return keys
    return [PublicKey(raw=b64_raw_key(stripped))]


def load_trusted_keys(spec: str) -> list[PublicKey]:
    """`--public-key KEY`: a path to a key file, else the base64 raw key itself."""
    path = Path(spec)
    try:
        is_file = path.is_file()
    except OSError:
        is_file = False
    if is_file:
        return parse_trusted_keys(path.read_text(encoding="utf-8"))
    try:
        return parse_trusted_keys(spec)
    except KeyLoadError as exc:
        raise KeyLoadError(f"{spec!r} is neither a key file nor a base64 key: {exc}") from exc
