"""Standard Webhooks v1 signing of portal requests, with secret rotation.

The signature itself is the `standardwebhooks` library's; this module parses and checks the
`whsec_` secrets (with errors that name what is wrong) and signs with both secrets while a
rotation's grace period lasts."""

import base64
import binascii
import math
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - the format prefix, not a secret
#: Standard Webhooks recommends secrets between 24 and 64 bytes.
MIN_SECRET_BYTES: Final = 24
MAX_SECRET_BYTES: Final = 64
CONTENT_TYPE: Final = "application/json"


class InvalidWebhookSecretError(ValueError):
    """A signing secret is not in the `whsec_<base64>` form or has an unusable length."""


@dataclass(frozen=True, slots=True)
class WebhookSecret:
    """One HMAC-SHA256 signing key; `repr` never shows the key."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not MIN_SECRET_BYTES <= len(self.key) <= MAX_SECRET_BYTES:
            raise InvalidWebhookSecretError(
                f"webhook secret must decode to {MIN_SECRET_BYTES}..{MAX_SECRET_BYTES} bytes, "
                f"got {len(self.key)}"
            )

    @classmethod
    def parse(cls, text: str) -> "WebhookSecret":
        """Parse `whsec_<base64>` (padding optional), refusing anything else with a clear error."""
        value = text.strip()
        if not value.startswith(SECRET_PREFIX):
            raise InvalidWebhookSecretError(
                f"webhook secret must start with {SECRET_PREFIX!r} followed by base64"
            )
        encoded = value.removeprefix(SECRET_PREFIX)
        if not encoded:
            raise InvalidWebhookSecretError("webhook secret is empty after the whsec_ prefix")
        padded = encoded + "=" * (-len(encoded) % 4)
        try:
            key = base64.b64decode(padded, validate=True)
        except binascii.Error as exc:
            raise InvalidWebhookSecretError(
                "webhook secret after the whsec_ prefix is not valid base64"
            ) from exc
        return cls(key)

    @classmethod
    def generate(cls, size: int = 32) -> "WebhookSecret":
        """A fresh random secret (for provisioning and tests)."""
        return cls(secrets.token_bytes(size))

    def encoded(self) -> str:
        """The `whsec_<base64>` form to hand to the portal."""
        return SECRET_PREFIX + base64.b64encode(self.key).decode("ascii")

    def sign(self, *, webhook_id: str, timestamp: int, body: bytes) -> str:
        """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, by the `standardwebhooks`
        library the portal verifies with (bodies are JSON, so UTF-8)."""
        at = datetime.fromtimestamp(timestamp, UTC)
        return Webhook(self.key).sign(webhook_id, at, body.decode("utf-8"))


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """The current secret, plus the previous one while a rotation's grace period lasts."""

    current: WebhookSecret
    previous: WebhookSecret | None = None
    previous_valid_until: datetime | None = None

    def __post_init__(self) -> None:
        if (self.previous is None) != (self.previous_valid_until is None):
            raise ValueError("previous secret and previous_valid_until go together")
        if self.previous_valid_until is not None and self.previous_valid_until.tzinfo is None:
            raise ValueError("previous_valid_until must be timezone-aware")

    @classmethod
    def from_config(
        cls,
        current: str,
        previous: str | None = None,
        previous_valid_until: datetime | None = None,
    ) -> "SigningKeys":
        """Build from settings strings in `whsec_` form."""
        return cls(
            current=WebhookSecret.parse(current),
            previous=WebhookSecret.parse(previous) if previous else None,
            previous_valid_until=previous_valid_until if previous else None,
        )

    def active(self, at: datetime) -> tuple[WebhookSecret, ...]:
        """The secrets that sign at `at`: the current one first, the previous one during grace."""
        grace_until = self.previous_valid_until
        if self.previous is not None and grace_until is not None and at < grace_until:
            return (self.current, self.previous)
        return (self.current,)

    def rotate(self, new: WebhookSecret, *, now: datetime, grace: timedelta) -> "SigningKeys":
        """Make `new` current; the old current keeps signing until `now + grace`."""
        return SigningKeys(current=new, previous=self.current, previous_valid_until=now + grace)


def unix_seconds(at: datetime) -> int:
    """Whole unix seconds, as the `webhook-timestamp` header carries them."""
    if at.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return math.floor(at.timestamp())


def signature_header(keys: SigningKeys, *, webhook_id: str, body: bytes, at: datetime) -> str:
    """Space-separated `v1,...` signatures, one per active secret."""
    timestamp = unix_seconds(at)
    return " ".join(
        secret.sign(webhook_id=webhook_id, timestamp=timestamp, body=body)
        for secret in keys.active(at)
    )


def signed_headers(
    keys: SigningKeys, *, webhook_id: str, body: bytes, at: datetime
) -> dict[str, str]:
    """The full Standard Webhooks header set for one send of `body` at `at`."""
    if not webhook_id or any(char.isspace() for char in webhook_id):
        raise ValueError(f"webhook id must be non-empty without whitespace: {webhook_id!r}")
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(unix_seconds(at)),
        "webhook-signature": signature_header(keys, webhook_id=webhook_id, body=body, at=at),
        "content-type": CONTENT_TYPE,
    }
