"""The relay's bookkeeping: which rows of a batch count as sent, and the headers it sends."""

from datetime import UTC, datetime
from types import SimpleNamespace

from academy_runtime.outbox import _sent_prefix_per_key, wire_headers
from contracts import Envelope, encode
from contracts.assessment import OperatorJurisdictionsSet


def _rows(*keys: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(id=n, key=key) for n, key in enumerate(keys, start=1)]


def test_a_failed_row_keeps_the_later_rows_of_its_key_unsent_and_other_keys_go() -> None:
    rows = _rows("op-a", "op-b", "op-a", "op-b", "op-a")
    refused = TimeoutError("broker did not acknowledge in time")

    sent, failed = _sent_prefix_per_key(rows, [None, None, refused, None, None])

    assert sent == [1, 2, 4]
    assert list(failed) == [3, 5]
    assert "TimeoutError" in failed[3]
    assert failed[5] == "earlier event failed"


def test_wire_headers_are_the_rows_headers_with_content_type_first_and_nothing_added() -> None:
    envelope = Envelope(
        data=OperatorJurisdictionsSet(
            operator_id="op-h", jurisdictions=["MGA"], actor="t", set_at=datetime.now(UTC)
        ),
        tenantid="op-h",
        source="/test",
        subject="op-h",
    )
    stored = encode(envelope).headers

    sent = wire_headers(stored)

    assert sent[0] == ("content-type", b"application/json")
    assert sent[1:] == [(k, v.encode()) for k, v in stored.items() if k != "content-type"]
