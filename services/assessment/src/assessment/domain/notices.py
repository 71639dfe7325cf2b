"""Which certificate expiry notices are due, so each is emitted exactly once.

Rule: a certificate's notices always come in the order `expiring` then `expired`, each once.
`expiring` is due from the moment its recertification window opens (or its issue, if later),
`expired` from its expiry. A scheduler run computes what is due from the sent-flags, not from
"what changed since the last run", so after downtime a certificate that expired meanwhile gets
its missed `expiring` and then its `expired` in the same run. Emitting a notice and setting its
flag (`mark_notice_sent`) belong in one transaction with the outbox write.

Revoked and superseded certificates get no further notices (see `certificates` for why a
renewed predecessor never "expires" to the portal).
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from assessment.domain.certificates import Certificate
from assessment.domain.timeutil import require_utc

NoticeKind = Literal["expiring", "expired"]
_KIND_ORDER: dict[NoticeKind, int] = {"expiring": 0, "expired": 1}


@dataclass(frozen=True)
class DueNotice:
    kind: NoticeKind
    certificate: Certificate
    due_at: datetime

    @property
    def notice_key(self) -> str:
        """Stable per certificate and kind: a natural idempotency key for the event id."""
        return f"{self.certificate.certificate_id}:{self.kind}"


def is_silenced(certificate: Certificate, now: datetime) -> bool:
    """Revoked or superseded by `now`: no notice may be emitted for it any more."""
    return certificate.status_at(now) in ("revoked", "superseded")


def due_notices(certificates: Iterable[Certificate], *, now: datetime) -> list[DueNotice]:
    """Every notice due at `now` and not yet sent, oldest first, `expiring` before `expired`."""
    now = require_utc(now)
    due: list[DueNotice] = []
    for certificate in certificates:
        if is_silenced(certificate, now):
            continue
        expiring_at = max(certificate.recert_window_opens_at, certificate.passed_at)
        if certificate.expiring_notice_sent_at is None and now >= expiring_at:
            due.append(DueNotice(kind="expiring", certificate=certificate, due_at=expiring_at))
        if certificate.expired_notice_sent_at is None and now >= certificate.expires_at:
            due.append(
                DueNotice(kind="expired", certificate=certificate, due_at=certificate.expires_at)
            )
    # expiring_at <= expires_at always, so this order puts each certificate's expiring first.
    return sorted(due, key=lambda n: (n.due_at, _KIND_ORDER[n.kind], n.certificate.certificate_id))


def mark_notice_sent(certificate: Certificate, kind: NoticeKind, *, at: datetime) -> Certificate:
    """Record that a notice went out; marking twice keeps the first time."""
    at = require_utc(at)
    if kind == "expiring":
        if certificate.expiring_notice_sent_at is not None:
            return certificate
        return replace(certificate, expiring_notice_sent_at=at)
    if certificate.expired_notice_sent_at is not None:
        return certificate
    return replace(certificate, expired_notice_sent_at=at)
