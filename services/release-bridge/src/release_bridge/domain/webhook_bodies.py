"""Webhook bodies exactly as the contract models serialise them, with their webhook ids."""

from dataclasses import dataclass

from contracts.release import ReleaseDecided, ToolingRevocationDecided
from contracts.webhooks import (
    CertificationExpiredNotice,
    CertificationExpiringNotice,
    ToolingReleased,
    ToolingReleasedData,
    ToolingRevoked,
    ToolingRevokedData,
    WebhookMessage,
)


@dataclass(frozen=True, slots=True)
class OutgoingWebhook:
    """A body frozen at decision time: every retry sends these exact bytes under this id."""

    webhook_id: str
    webhook_type: str
    operator_id: str
    jurisdiction: str
    body: bytes


def release_webhook(decided: ReleaseDecided) -> ToolingReleased:
    """`tooling.released.v1`; its release_id is the webhook-id."""
    return ToolingReleased(
        timestamp=decided.decided_at,
        data=ToolingReleasedData(
            release_id=decided.release_id,
            operator_id=decided.operator_id,
            jurisdiction=decided.jurisdiction,
            tooling=list(decided.tooling),
            reason=decided.reason,
            evidence=list(decided.evidence),
            override=decided.override,
        ),
    )


def revocation_webhook(decided: ToolingRevocationDecided) -> ToolingRevoked:
    """`tooling.revoked.v1`; its revocation_id is the webhook-id."""
    return ToolingRevoked(
        timestamp=decided.decided_at,
        data=ToolingRevokedData(
            revocation_id=decided.revocation_id,
            release_id=decided.release_id,
            operator_id=decided.operator_id,
            jurisdiction=decided.jurisdiction,
            tooling=list(decided.tooling),
            cause=decided.cause,
        ),
    )


def webhook_id_of(message: WebhookMessage) -> str:
    """The id the contract puts in the body, which the `webhook-id` header must equal."""
    match message:
        case ToolingReleased():
            return message.data.release_id
        case ToolingRevoked():
            return message.data.revocation_id
        case CertificationExpiringNotice() | CertificationExpiredNotice():
            return message.data.notice_id


def encode_body(message: WebhookMessage) -> bytes:
    """The contract's JSON, UTF-8, as signed and sent."""
    return message.model_dump_json().encode()


def outgoing(message: WebhookMessage) -> OutgoingWebhook:
    """Freeze `message` for delivery."""
    return OutgoingWebhook(
        webhook_id=webhook_id_of(message),
        webhook_type=message.type,
        operator_id=message.data.operator_id,
        jurisdiction=message.data.jurisdiction,
        body=encode_body(message),
    )
