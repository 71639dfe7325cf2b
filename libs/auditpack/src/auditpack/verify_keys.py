"""Signature checks of a pack: keys.json, manifest.sig, and the caller's trusted keys."""

import base64
import binascii
from collections.abc import Sequence

from auditpack.findings import Findings
from auditpack.manifest import (
    KEYS_JSON,
    MANIFEST_SIG,
    Manifest,
    ManifestError,
    decode_keys,
)
from auditpack.period import Period, utc_text
from auditpack.public_keys import KeyLoadError, PublicKey


def check_keys(raw: bytes, period: Period, out: Findings) -> list[PublicKey]:
    try:
        keys = [PublicKey.from_json(entry) for entry in decode_keys(raw).keys]
    except (ManifestError, KeyLoadError, ValueError) as exc:
        out.fail(KEYS_JSON, "format", str(exc))
        return []
    ids = [key.key_id for key in keys]
    if len(set(ids)) != len(ids):
        out.fail(KEYS_JSON, "format", "key ids are not unique")
    for key in keys:
        if not key.overlaps(period):
            out.fail(KEYS_JSON, "validity", f"key {key.key_id} is not valid in the period")
    return keys


def check_signature(
    manifest: Manifest,
    manifest_bytes: bytes,
    sig_text: bytes,
    period: Period,
    listed: list[PublicKey],
    trusted_keys: Sequence[PublicKey] | None,
    out: Findings,
) -> bool:
    """Verify manifest.sig; returns whether a caller-supplied key was used."""
    try:
        signature = base64.b64decode(sig_text, validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != 64 or base64.b64encode(signature) != sig_text:
        out.fail(MANIFEST_SIG, "format", "not base64 of a 64-byte Ed25519 signature")
        return trusted_keys is not None
    key_id = manifest.key_id
    at_end = utc_text(period.end)
    in_pack = next((k for k in listed if k.key_id == key_id), None)
    if in_pack is None:
        out.fail(KEYS_JSON, "signing key", f"lists no key with the manifest's key_id {key_id!r}")
    elif not in_pack.valid_at(period.end):
        out.fail(KEYS_JSON, "signing key", f"key {key_id} is not valid at the period end {at_end}")
    if trusted_keys is None:
        if in_pack is not None and not in_pack.verify(signature, manifest_bytes):
            out.fail(MANIFEST_SIG, "signature", f"does not verify with key {key_id} of keys.json")
        return False
    candidates = [k for k in trusted_keys if k.key_id in (None, key_id)]
    good = next((k for k in candidates if k.verify(signature, manifest_bytes)), None)
    if not candidates:
        out.fail(MANIFEST_SIG, "trusted key", f"no given public key has key id {key_id!r}")
    elif good is None:
        out.fail(MANIFEST_SIG, "signature", "does not verify with the given public key")
    else:
        if not good.valid_at(period.end):
            out.fail(MANIFEST_SIG, "key validity", f"the given key is not valid at {at_end}")
        if in_pack is not None and in_pack.raw != good.raw:
            out.fail(KEYS_JSON, "trusted key", f"key {key_id} differs from the given public key")
    return True
