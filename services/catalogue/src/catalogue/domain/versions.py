"""Content addressing: a version is the SHA-256 of an object's canonical JSON."""

import hashlib
import json


def canonical_json(value: object) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the same content gives the same bytes."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def digest(value: object) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def short(version: str | None, length: int = 12) -> str:
    """A version as people read it in summaries and diffs."""
    return "-" if version is None else version[:length]
