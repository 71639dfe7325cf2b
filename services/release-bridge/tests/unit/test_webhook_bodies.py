import json
from datetime import UTC, datetime, timedelta

from release_bridge_testkit import T0, a_certificate, a_policy, a_training_record
from standardwebhooks.webhooks import Webhook

from contracts.common import TrainingRecord
from contracts.release import ReleaseDecided
from contracts.webhooks import ToolingReleased
from release_bridge.domain.decisions import (
    CertificateNotice,
    ReleaseLedger,
    decide,
    force_release,
)
from release_bridge.domain.signing import SigningKeys, WebhookSecret, signed_headers
from release_bridge.domain.webhook_bodies import (
    outgoing,
    release_webhook,
    revocation_webhook,
)

LEDGER = ReleaseLedger(operator_id="op-123", jurisdiction="MGA")


def _released(training: TrainingRecord | None = None) -> ReleaseDecided:
    """The release decided for one compliance officer's pass at 10:15 on 24 Nov 2026."""
    cert = a_certificate(
        "cert-9",
        staff_id="staff-7",
        passed_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        expires_at=datetime(2028, 5, 20, 9, 30, tzinfo=UTC),
        training=training,
    )
    release = decide(LEDGER, a_policy(), [cert], now=datetime(2026, 11, 24, 10, 15, tzinfo=UTC))
    assert release.release is not None
    return release.release


def test_release_webhook_body_is_exactly_the_contract_json() -> None:
    decided = _released()

    message = outgoing(release_webhook(decided))

    assert json.loads(message.body) == {
        "type": "tooling.released.v1",
        "timestamp": "2026-11-24T10:15:00Z",
        "data": {
            "release_id": decided.release_id,
            "operator_id": "op-123",
            "jurisdiction": "MGA",
            "tooling": ["mga-licensing-suite"],
            "reason": "certification",
            "evidence": [
                {
                    "certificate_id": "cert-9",
                    "staff_id": "staff-7",
                    "role": "compliance_officer",
                    "track_version": "mga-2026.1",
                    "passed_at": "2026-11-20T09:30:00Z",
                    "expires_at": "2028-05-20T09:30:00Z",
                    "training": None,
                }
            ],
            "override": None,
        },
    }
    assert message.body.startswith(b'{"type":"tooling.released.v1","timestamp":')


def test_release_webhook_evidence_carries_the_certificate_training_record() -> None:
    completed_at = datetime(2026, 11, 19, 16, 5, tzinfo=UTC)
    decided = _released(a_training_record({"aml": completed_at, "kyc": completed_at}))

    body = json.loads(outgoing(release_webhook(decided)).body)

    assert body["data"]["evidence"][0]["training"] == {
        "modules_required": ["aml", "kyc"],
        "modules_completed": [
            {"module_id": "aml", "completed_at": "2026-11-19T16:05:00Z"},
            {"module_id": "kyc", "completed_at": "2026-11-19T16:05:00Z"},
        ],
    }


def test_release_webhook_id_equals_the_release_id_and_is_stable() -> None:
    decided = _released()

    first, again = outgoing(release_webhook(decided)), outgoing(release_webhook(decided))

    assert first.webhook_id == decided.release_id
    assert first == again
    assert (first.webhook_type, first.operator_id, first.jurisdiction) == (
        "tooling.released.v1",
        "op-123",
        "MGA",
    )


def test_manual_override_body_carries_actor_and_reason() -> None:
    decided = force_release(LEDGER, a_policy(), [], actor="support-1", reason="ticket 42", now=T0)
    assert decided.release is not None

    body = json.loads(outgoing(release_webhook(decided.release)).body)

    assert body["data"]["reason"] == "manual_override"
    assert body["data"]["override"] == {"actor": "support-1", "reason": "ticket 42"}


def test_revocation_webhook_body_names_the_revoked_release() -> None:
    policy = a_policy(revoke_on_lapse=True)
    released = decide(LEDGER, policy, [a_certificate(expires_at=T0 + timedelta(days=1))], now=T0)
    revoked = decide(released.ledger, policy, [], now=T0 + timedelta(days=1)).revocation
    assert revoked is not None

    message = outgoing(revocation_webhook(revoked))

    assert message.webhook_id == revoked.revocation_id
    assert json.loads(message.body) == {
        "type": "tooling.revoked.v1",
        "timestamp": "2026-11-25T10:00:00Z",
        "data": {
            "revocation_id": revoked.revocation_id,
            "release_id": released.ledger.release_id,
            "operator_id": "op-123",
            "jurisdiction": "MGA",
            "tooling": ["mga-licensing-suite"],
            "cause": "policy_lapsed: needs 1 compliance_officer, has 0",
        },
    }


def test_notice_webhook_id_is_stable_per_certificate_and_kind() -> None:
    ledger = decide(LEDGER, a_policy(), [a_certificate()], now=T0).ledger
    expiry = datetime(2028, 5, 20, 9, 30, tzinfo=UTC)
    notice = CertificateNotice("expiring", "cert-9", "staff-7", "compliance_officer", expiry, T0)

    first = decide(ledger, a_policy(), [], now=T0, notice=notice).notice
    again = decide(ledger, a_policy(), [], now=T0, notice=notice).notice

    assert first is not None
    assert again is not None
    message = outgoing(first)
    assert message.webhook_id == first.data.notice_id == outgoing(again).webhook_id
    assert json.loads(message.body)["data"]["expires_at"] == "2028-05-20T09:30:00Z"


def test_portal_verifies_and_parses_a_signed_release_body() -> None:
    secret = WebhookSecret.generate()
    message = outgoing(release_webhook(_released()))
    headers = signed_headers(
        SigningKeys(secret), webhook_id=message.webhook_id, body=message.body, at=datetime.now(UTC)
    )

    received = ToolingReleased.model_validate(
        Webhook(secret.encoded()).verify(message.body, headers)
    )

    assert received.data.release_id == headers["webhook-id"]


def test_portal_verifies_and_parses_the_training_record_of_a_signed_release_body() -> None:
    secret = WebhookSecret.generate()
    record = a_training_record()
    message = outgoing(release_webhook(_released(record)))
    headers = signed_headers(
        SigningKeys(secret), webhook_id=message.webhook_id, body=message.body, at=datetime.now(UTC)
    )

    received = ToolingReleased.model_validate(
        Webhook(secret.encoded()).verify(message.body, headers)
    )

    assert [e.training for e in received.data.evidence] == [record]
