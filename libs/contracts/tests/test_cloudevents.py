from datetime import UTC, datetime

import pytest

from contracts import Envelope, EnvelopeError, decode, encode, topics
from contracts.assessment import CertificationRevoked, OperatorJurisdictionsSet
from contracts.cloudevents import from_structured, to_structured


def _event() -> Envelope[OperatorJurisdictionsSet]:
    data = OperatorJurisdictionsSet(
        operator_id="op-1",
        jurisdictions=["MGA", "GCB"],
        actor="admin@vendor",
        set_at=datetime(2026, 11, 24, 10, 15, tzinfo=UTC),
    )
    return Envelope(data=data, tenantid="op-1", source="/academy/assessment", subject="op-1")


def test_binary_mode_record_carries_ce_headers_and_operator_key() -> None:
    record = encode(_event())
    assert record.topic == topics.ASSESSMENT
    assert record.key == b"op-1"
    assert record.headers["ce_specversion"] == "1.0"
    assert record.headers["ce_type"] == "academy.operator.jurisdictions_set.v1"
    assert record.headers["ce_tenantid"] == "op-1"
    assert record.headers["ce_traceparent"].startswith("00-")
    assert record.headers["content-type"] == "application/json"
    assert record.headers["ce_time"].endswith("Z")
    assert b'"set_at":"2026-11-24T10:15:00Z"' in record.value


def test_decode_round_trips_an_encoded_event() -> None:
    original = _event()
    record = encode(original)
    as_bytes = [(k, v.encode()) for k, v in record.headers.items()]
    decoded = decode(as_bytes, record.value)
    assert decoded == original


def test_structured_form_round_trips() -> None:
    original = _event()
    structured = to_structured(original)
    assert structured["data"]["jurisdictions"] == ["MGA", "GCB"]
    assert from_structured(structured) == original


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda h: h.pop("ce_id"), "missing CloudEvents headers: ce_id"),
        (lambda h: h.update(ce_type="academy.nope.v1"), "unknown ce_type"),
        (lambda h: h.update(ce_specversion="0.3"), "unsupported ce_specversion"),
        (lambda h: h.update(ce_time="yesterday"), "ce_time is not RFC 3339"),
        (lambda h: h.update({"content-type": "text/plain"}), "unsupported content-type"),
    ],
)
def test_decode_names_what_is_wrong_with_bad_headers(mutate, message) -> None:  # type: ignore[no-untyped-def]
    record = encode(_event())
    headers = dict(record.headers)
    mutate(headers)
    with pytest.raises(EnvelopeError, match=message):
        decode(headers, record.value)


def test_decode_rejects_data_that_does_not_match_the_type() -> None:
    record = encode(_event())
    with pytest.raises(EnvelopeError, match="jurisdictions"):
        decode(record.headers, b'{"operator_id": "op-1", "jurisdictions": "MGA"}')
    with pytest.raises(EnvelopeError, match="data invalid"):
        decode(record.headers, b"not json")


def test_unknown_fields_are_ignored_so_additive_changes_stay_compatible() -> None:
    record = encode(_event())
    value = record.value.replace(b"{", b'{"added_later": 1,', 1)
    assert decode(record.headers, value).data.operator_id == "op-1"


def test_revocation_requires_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        CertificationRevoked(
            certificate_id="c",
            staff_id="s",
            role="compliance_officer",
            jurisdiction="MGA",
            actor="support",
            reason="",
            revoked_at=datetime.now(UTC),
        )


@pytest.mark.parametrize("tenant", ["../../etc", "op/1", "", "x" * 65, "op 1", ".hidden"])
def test_decode_rejects_tenant_ids_that_are_not_safe_operator_ids(tenant: str) -> None:
    record = encode(_event())
    headers = dict(record.headers, ce_tenantid=tenant)
    with pytest.raises(EnvelopeError, match="ce_tenantid"):
        decode(headers, record.value)


def test_decode_rejects_a_tenant_that_disagrees_with_the_events_operator() -> None:
    record = encode(_event())
    headers = dict(record.headers, ce_tenantid="op-2")
    with pytest.raises(EnvelopeError, match=r"does not match data\.operator_id"):
        decode(headers, record.value)


def test_platform_tenant_is_accepted() -> None:
    from contracts.cloudevents import TENANT_PATTERN
    from contracts.topics import PLATFORM_TENANT

    assert TENANT_PATTERN.fullmatch(PLATFORM_TENANT)


def test_attempt_seed_must_fit_json_safe_integers() -> None:
    from contracts.assessment import AttemptStarted

    fields = {
        "attempt_id": "a",
        "staff_id": "s",
        "jurisdiction": "MGA",
        "role": "compliance_officer",
        "track_version": "v",
        "attempt_number": 1,
        "question_ids": ["q"],
        "started_at": datetime.now(UTC),
        "deadline": datetime.now(UTC),
    }
    assert AttemptStarted(seed=2**53 - 1, **fields).seed == 2**53 - 1
    with pytest.raises(ValueError, match="seed"):
        AttemptStarted(seed=2**53, **fields)


def test_every_event_with_a_training_state_is_a_training_carrier() -> None:
    from contracts.assessment import TRAINING_CARRIERS
    from contracts.registry import EVENT_MODELS

    carrying = {model for model in EVENT_MODELS if "training" in model.model_fields}
    assert carrying == set(TRAINING_CARRIERS)
