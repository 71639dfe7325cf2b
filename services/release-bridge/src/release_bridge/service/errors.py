"""Errors the handlers raise for a caller to fix (the API maps them to 404, 409 and 422)."""

from collections.abc import Sequence

from academy_runtime import suggest

#: What makes an operator known to the bridge, for the caller who named one it does not know.
OPERATOR_HINT = (
    "the release bridge knows an operator once assessment has set its go-live jurisdictions"
)


class NotFound(LookupError):
    """The thing asked for does not exist."""


class Conflict(RuntimeError):
    """The request contradicts the current state; the message says what to do instead."""


class UnknownOperator(suggest.UnknownName, NotFound):
    """An operator the bridge has no go-live record of (`body` is the 404 with suggestions)."""

    kind = "operator"
    hint = OPERATOR_HINT


class Unpublished(ValueError):
    """A jurisdiction the catalogue has published no release policy for."""

    def __init__(self, jurisdiction: str, published: Sequence[str]) -> None:
        self.jurisdiction = jurisdiction
        self.published = list(published)
        listed = ", ".join(self.published) or "none yet"
        super().__init__(f"{jurisdiction!r} is not published by the catalogue; published: {listed}")


class OutsideGoLive(Conflict):
    """A force-release in a jurisdiction the operator is not going live in, without the flag."""

    def __init__(self, operator_id: str, jurisdiction: str, go_live: Sequence[str]) -> None:
        self.go_live = list(go_live)
        listed = ", ".join(self.go_live) or "no jurisdiction"
        super().__init__(
            f"{operator_id} is going live in {listed}, not {jurisdiction}; if releasing "
            f"{jurisdiction} anyway is intended, pass outside_go_live: true "
            "(CLI --outside-go-live) and it is audited as outside go-live"
        )
