"""The one "did you mean" for every service: a 404 that names the close ids the caller meant."""

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from academy_runtime.errors import ErrorBody

#: How alike two ids must be to be offered (difflib's ratio): catches typos, not strangers.
CUTOFF = 0.75
#: At most this many suggestions; more would be a listing, not a hint.
LIMIT = 3


def did_you_mean(value: str, known: Iterable[str], *, limit: int = LIMIT) -> list[str]:
    """The known ids closest to `value`, best first (none when nothing is close)."""
    return difflib.get_close_matches(value, sorted(set(known)), n=limit, cutoff=CUTOFF)


def not_found(kind: str, value: str, matches: Sequence[str], *, hint: str = "") -> dict[str, Any]:
    """The 404 body for an unknown `kind` (`operator`); `hint` says what to do if none is close."""
    detail = f"no {kind} {value!r}"
    if matches:
        detail += f"; did you mean {' or '.join(repr(match) for match in matches)}?"
    elif hint:
        detail += f"; {hint}"
    return ErrorBody(
        error="not_found", reason=f"unknown_{kind}", detail=detail, did_you_mean=list(matches)
    ).body()


class UnknownName(LookupError):
    """A name (an operator id, …) the service does not know; `body` is the 404 to answer."""

    kind = "name"
    hint = ""

    def __init__(self, value: str, known: Iterable[str]) -> None:
        self.value = value
        self.did_you_mean = did_you_mean(value, known)
        self.body = not_found(self.kind, value, self.did_you_mean, hint=self.hint)
        super().__init__(self.body["detail"])
