from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from release_bridge.domain.signing import (
    InvalidWebhookSecretError,
    SigningKeys,
    WebhookSecret,
    signed_headers,
)

OLD = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
NEW = WebhookSecret(bytes(range(32)))
BODY = b'{"type":"tooling.released.v1","data":{"release_id":"r-1"}}'


def _now() -> datetime:
    """The library checks timestamps against the real clock, so sign with it."""
    return datetime.now(UTC)


def test_our_request_verifies_with_the_standardwebhooks_library() -> None:
    headers = signed_headers(SigningKeys(NEW), webhook_id="r-1", body=BODY, at=_now())

    payload = Webhook(NEW.encoded()).verify(BODY, headers)

    assert payload["data"]["release_id"] == "r-1"


def test_tampered_body_fails_library_verification() -> None:
    headers = signed_headers(SigningKeys(NEW), webhook_id="r-1", body=BODY, at=_now())

    with pytest.raises(WebhookVerificationError):
        Webhook(NEW.encoded()).verify(BODY.replace(b"r-1", b"r-2"), headers)


def test_tampered_webhook_id_fails_library_verification() -> None:
    headers = signed_headers(SigningKeys(NEW), webhook_id="r-1", body=BODY, at=_now())

    with pytest.raises(WebhookVerificationError):
        Webhook(NEW.encoded()).verify(BODY, {**headers, "webhook-id": "r-2"})


def test_request_signed_with_another_secret_fails_library_verification() -> None:
    headers = signed_headers(SigningKeys(OLD), webhook_id="r-1", body=BODY, at=_now())

    with pytest.raises(WebhookVerificationError):
        Webhook(NEW.encoded()).verify(BODY, headers)


@pytest.mark.parametrize("verifier", [OLD, NEW], ids=["previous secret", "new secret"])
def test_during_rotation_grace_either_secret_verifies(verifier: WebhookSecret) -> None:
    now = _now()
    keys = SigningKeys(OLD).rotate(NEW, now=now, grace=timedelta(hours=24))

    headers = signed_headers(keys, webhook_id="r-1", body=BODY, at=now)

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(verifier.encoded()).verify(BODY, headers) is not None


def test_after_rotation_grace_the_previous_secret_no_longer_signs() -> None:
    now = _now()
    keys = SigningKeys(OLD).rotate(NEW, now=now - timedelta(days=2), grace=timedelta(days=1))

    headers = signed_headers(keys, webhook_id="r-1", body=BODY, at=now)

    assert Webhook(NEW.encoded()).verify(BODY, headers) is not None
    with pytest.raises(WebhookVerificationError):
        Webhook(OLD.encoded()).verify(BODY, headers)


def test_headers_carry_id_unix_seconds_signature_and_json_content_type() -> None:
    at = datetime(2021, 2, 26, 15, 2, 10, 900_000, tzinfo=UTC)

    headers = signed_headers(SigningKeys(NEW), webhook_id="r-1", body=BODY, at=at)

    assert headers["webhook-id"] == "r-1"
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["content-type"] == "application/json"


def test_signature_matches_the_standard_webhooks_reference_vector() -> None:
    signature = OLD.sign(
        webhook_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=b'{"test": 2432232314}',
    )

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_secret_round_trips_through_its_whsec_form() -> None:
    assert WebhookSecret.parse(NEW.encoded()) == NEW


def test_unpadded_base64_secret_is_accepted() -> None:
    padded = WebhookSecret(bytes(range(25))).encoded()

    assert WebhookSecret.parse(padded.rstrip("=")).key == bytes(range(25))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "must start with 'whsec_'"),
        ("whsec_", "empty"),
        ("whsec_not*base64!", "not valid base64"),
        ("whsec_c2hvcnQ=", "must decode to 24..64 bytes, got 5"),
    ],
)
def test_malformed_secret_is_rejected_with_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(InvalidWebhookSecretError, match=message):
        WebhookSecret.parse(text)


def test_secret_repr_does_not_leak_the_key() -> None:
    assert NEW.encoded().removeprefix("whsec_") not in repr(SigningKeys(NEW))


def test_previous_secret_needs_a_grace_deadline() -> None:
    with pytest.raises(ValueError, match="go together"):
        SigningKeys(NEW, previous=OLD)


def test_webhook_id_with_whitespace_is_refused() -> None:
    with pytest.raises(ValueError, match="whitespace"):
        signed_headers(SigningKeys(NEW), webhook_id="r 1", body=BODY, at=_now())


@given(
    body=st.text(max_size=500).map(str.encode),
    webhook_id=st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True),
    key=st.binary(min_size=24, max_size=64),
)
def test_any_body_and_id_we_sign_verifies_with_the_library(
    body: bytes, webhook_id: str, key: bytes
) -> None:
    secret = WebhookSecret(key)

    headers = signed_headers(SigningKeys(secret), webhook_id=webhook_id, body=body, at=_now())

    Webhook(secret.encoded()).verify(body, headers, json_parse=False)
