"""CloudEvents 1.0 in Kafka binary mode (and structured JSON for the audit pack).

Binary mode: attributes travel as `ce_*` headers, the value is the event's JSON data and the
key is the operator id, so each tenant's events stay ordered.
"""

import json
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from contracts import identifiers
from contracts.base import EventData, format_time
from contracts.registry import model_for
from contracts.topics import PLATFORM_TENANT

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

D = TypeVar("D", bound=EventData)


class EnvelopeError(ValueError):
    """A Kafka record that is not a valid CloudEvent of a known type."""


@dataclass(frozen=True, slots=True)
class Envelope(Generic[D]):
    """One CloudEvent: attributes plus typed data."""

    data: D
    tenantid: str
    source: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    traceparent: str = field(default_factory=lambda: new_traceparent())

    @property
    def type(self) -> str:
        return self.data.ce_type

    @property
    def topic(self) -> str:
        return self.data.topic


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    topic: str
    key: bytes
    value: bytes
    headers: dict[str, str]


def new_traceparent() -> str:
    """A fresh W3C traceparent (version 00, sampled)."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def encode(envelope: Envelope[Any]) -> KafkaRecord:
    headers = {
        "ce_specversion": SPECVERSION,
        "ce_id": envelope.id,
        "ce_source": envelope.source,
        "ce_type": envelope.type,
        "ce_time": format_time(envelope.time),
        "ce_tenantid": envelope.tenantid,
        "ce_traceparent": envelope.traceparent,
        "content-type": CONTENT_TYPE,
    }
    if envelope.subject is not None:
        headers["ce_subject"] = envelope.subject
    return KafkaRecord(
        topic=envelope.topic,
        key=envelope.tenantid.encode(),
        value=envelope.data.model_dump_json().encode(),
        headers=headers,
    )


def _header_map(headers: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    result: dict[str, str] = {}
    for name, raw in items:
        if isinstance(raw, bytes | bytearray):
            try:
                result[name] = bytes(raw).decode()
            except UnicodeDecodeError as exc:
                raise EnvelopeError(f"header {name!r} is not UTF-8") from exc
        elif raw is not None:
            result[name] = str(raw)
    return result


#: Operator ids (and the platform tenant): safe as Kafka keys, file names and SFTP paths.
TENANT_PATTERN = re.compile(
    f"{re.escape(PLATFORM_TENANT)}|{identifiers.OPERATOR_ID_PATTERN.strip('^$')}"
)

REQUIRED = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_tenantid")


def decode(headers: Mapping[str, Any] | Iterable[tuple[str, Any]], value: bytes) -> Envelope[Any]:
    """Parse a binary-mode record; raises EnvelopeError naming what is wrong."""
    attrs = _header_map(headers)
    missing = [name for name in REQUIRED if not attrs.get(name)]
    if missing:
        raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
    if attrs["ce_specversion"] != SPECVERSION:
        raise EnvelopeError(f"unsupported ce_specversion {attrs['ce_specversion']!r}")
    content_type = attrs.get("content-type", CONTENT_TYPE)
    if content_type.split(";")[0].strip() != CONTENT_TYPE:
        raise EnvelopeError(f"unsupported content-type {content_type!r}")
    tenant = attrs["ce_tenantid"]
    if not TENANT_PATTERN.fullmatch(tenant):
        raise EnvelopeError(f"ce_tenantid {tenant[:80]!r} is not a valid operator id")
    model = model_for(attrs["ce_type"])
    if model is None:
        raise EnvelopeError(f"unknown ce_type {attrs['ce_type']!r}")
    try:
        time = datetime.fromisoformat(attrs["ce_time"].replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeError(f"ce_time is not RFC 3339: {attrs['ce_time']!r}") from exc
    if time.tzinfo is None:
        raise EnvelopeError("ce_time has no timezone")
    try:
        data = model.model_validate_json(value)
    except ValidationError as exc:
        raise EnvelopeError(f"{attrs['ce_type']} data invalid: {_short(exc)}") from exc
    operator = getattr(data, "operator_id", None)
    if operator is not None and operator != tenant:
        raise EnvelopeError(f"ce_tenantid {tenant!r} does not match data.operator_id {operator!r}")
    return Envelope(
        data=data,
        tenantid=tenant,
        source=attrs["ce_source"],
        id=attrs["ce_id"],
        time=time,
        subject=attrs.get("ce_subject"),
        traceparent=attrs.get("ce_traceparent") or new_traceparent(),
    )


def _short(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def to_structured(envelope: Envelope[Any]) -> dict[str, Any]:
    """The CloudEvent in structured JSON form with the data inline (used in audit packs)."""
    event: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": envelope.id,
        "source": envelope.source,
        "type": envelope.type,
        "time": format_time(envelope.time),
        "datacontenttype": CONTENT_TYPE,
        "tenantid": envelope.tenantid,
        "traceparent": envelope.traceparent,
        "data": json.loads(envelope.data.model_dump_json()),
    }
    if envelope.subject is not None:
        event["subject"] = envelope.subject
    return event


def from_structured(event: Mapping[str, Any]) -> Envelope[Any]:
    """Inverse of `to_structured`."""
    headers = {f"ce_{k}": v for k, v in event.items() if k not in ("data", "datacontenttype")}
    headers["content-type"] = str(event.get("datacontenttype", CONTENT_TYPE))
    return decode(headers, json.dumps(event.get("data")).encode())
