"""Placeholder secrets: known values and shapes that stand in for a secret never set."""

import re
from urllib.parse import urlsplit

#: Whole values that only ever stand in for a secret (compared case-insensitively).
PLACEHOLDER_VALUES = frozenset(
    {
        "changeme", "change-me", "change_me", "replaceme", "replace-me", "placeholder", "secret",
        "password", "todo", "tbd", "fixme", "dummy", "example", "sample", "test", "insecure",
        "default", "none", "null",
    }
)  # fmt: skip
#: Shapes of a placeholder, matched against the whole value (a URL: its password only, so a
#: word inside a host name such as `db.example.internal` never counts).
PLACEHOLDER_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"<[^<>]*>",  # <password>, <your-secret-here>
        r"\{\{.*\}\}",  # {{ secret }}: a template never rendered
        r".*(\$\{[^}]*\}|\$\([^)]*\)).*",  # ${SECRET}, $(cmd): never interpolated
        r"[x*.#?-]{3,}",  # xxxx, ****, ...
        r"(.*[-_. ])?(change|replace|fill)[-_ ]?me([-_. ].*)?",  # change-me-in-production
        r"(.*[-_. ])?(dev|test|local)[-_ ]only([-_. ].*)?",  # dev-only-secret
        r"(.*[-_. ])?(insecure|placeholder)([-_. ].*)?",  # django-insecure-…
        r"(your|my)[-_ ]?(secret|password|key|token)([-_ ].*)?",  # your-secret-here
    )
)


def placeholder_reason(value: str) -> str | None:
    """Why `value` is a placeholder rather than a secret, or None; in a URL only the
    password is looked at, so `postgresql://postgres@db.example.internal/x` is real."""
    text = value.strip().lower()
    if "://" in text:
        try:
            password = urlsplit(text).password
        except ValueError:
            password = None
        if password is None:
            return None
        text = password
        if not text:
            return "an empty password"
    if text in PLACEHOLDER_VALUES:
        return f"{text!r} is a placeholder word"
    if any(pattern.fullmatch(text) for pattern in PLACEHOLDER_PATTERNS):
        return "shaped like a placeholder"
    return None
