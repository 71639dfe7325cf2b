"""Errors the handlers raise for a caller to fix (the API maps them to 404 and 409)."""


class NotFound(LookupError):
    """The thing asked for does not exist."""


class Conflict(RuntimeError):
    """The request contradicts the current state; the message says what to do instead."""
