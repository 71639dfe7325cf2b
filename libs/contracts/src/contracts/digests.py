"""Content digests of lessons and modules: one definition for the catalogue and its readers.

The catalogue publishes them in `academy.track.published.v1` (`LessonRef.digest`,
`TrackModule.digest`); assessment records them with training events and the audit pack can
recompute them, so every service hashes exactly the same bytes.
"""

import hashlib
import re
from collections.abc import Iterable

_HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def lesson_digest(markdown: str) -> str:
    """SHA-256 (lower-case hex) of the lesson's Markdown as served, encoded as UTF-8."""
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()


def module_digest(lesson_digests: Iterable[str]) -> str:
    """SHA-256 (lower-case hex) of the module's lesson digests in order, joined by newlines.

    Refuses anything but lower-case 64-hex digests, so two different lists never join to the
    same text.
    """
    digests = list(lesson_digests)
    for value in digests:
        if not _HEX_DIGEST.match(value):
            raise ValueError(f"not a lesson digest (64 lower-case hex digits): {value!r}")
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()
