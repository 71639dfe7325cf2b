"""What an SRE does with dead letters: see them, pick some, replay or purge them, on record.

Which dead letters were already handled is read back from `academy.operations.v1`, where each
replay or purge is a `DeadLetterHandled` event (the audit export logs it in the operator's
audit log). Several consumer groups dead-letter the same record once each: a replay puts the
original back once and marks every copy handled; idempotent consumers apply it once.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from academy_runtime.dlq import DeadLetter, ExactProducer, by_topic, read_all
from academy_runtime.text import has_visible_character, unstorable
from contracts import Envelope, EnvelopeError, decode, encode, topics
from contracts.cloudevents import TENANT_PATTERN
from contracts.operations import DeadLetterHandled

SOURCE = "/academy/operations"
Action = Literal["replayed", "purged"]


@dataclass(frozen=True, slots=True)
class Handled:
    action: str
    actor: str
    reason: str
    at: str


@dataclass(frozen=True)
class Selection:
    """Which dead letters of one dead-letter topic an action applies to (all filters ANDed)."""

    topic: str
    partition: int | None = None
    from_offset: int | None = None
    to_offset: int | None = None
    error_type: str | None = None
    handler: str | None = None
    service: str | None = None
    refs: frozenset[str] = frozenset()
    include_handled: bool = False

    def matches(self, letter: DeadLetter, handled: dict[str, Handled]) -> bool:
        checks = (
            letter.topic == self.topic,
            self.partition is None or letter.partition == self.partition,
            self.from_offset is None or letter.offset >= self.from_offset,
            self.to_offset is None or letter.offset <= self.to_offset,
            self.error_type is None or letter.error_type == self.error_type,
            self.handler is None or letter.handler == self.handler,
            self.service is None or letter.service == self.service,
            not self.refs or letter.ref in self.refs,
            self.include_handled or letter.ref not in handled,
        )
        return all(checks)


def dead_letter_topic(name: str) -> str:
    """`academy.catalogue.v1` or `academy.catalogue.v1.dlq`: the dead-letter topic either way."""
    return name if topics.is_dlq(name) else topics.dlq(name)


@dataclass
class Inventory:
    """Every dead letter in the cluster and what was done with each."""

    letters: list[DeadLetter]
    handled: dict[str, Handled]
    topics: list[str] = field(default_factory=list)

    def waiting(self) -> list[DeadLetter]:
        return [letter for letter in self.letters if letter.ref not in self.handled]

    def select(self, selection: Selection) -> list[DeadLetter]:
        return [letter for letter in self.letters if selection.matches(letter, self.handled)]


async def inventory(bootstrap_servers: str) -> Inventory:
    """Read every dead-letter topic and the record of what was handled."""
    dlq_topics: list[str] = []

    def wanted(existing: set[str]) -> list[str]:
        dlq_topics.extend(sorted(name for name in existing if topics.is_dlq(name)))
        return [*dlq_topics, topics.OPERATIONS]

    records = await read_all(bootstrap_servers, wanted)
    letters = [DeadLetter.from_record(r) for r in records if r.topic != topics.OPERATIONS]
    handled: dict[str, Handled] = {}
    for record in records:
        if record.topic == topics.OPERATIONS:
            _note(handled, record)
    return Inventory(letters=letters, handled=handled, topics=dlq_topics)


def _note(handled: dict[str, Handled], record: Any) -> None:
    try:
        envelope = decode(record.headers or [], record.value or b"")
    except EnvelopeError:
        return
    data = envelope.data
    if isinstance(data, DeadLetterHandled):
        ref = f"{data.dead_letter_topic}/{data.dead_letter_partition}/{data.dead_letter_offset}"
        at = data.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        handled[ref] = Handled(action=data.action, actor=data.actor, reason=data.reason, at=at)


def summary(letters: Sequence[DeadLetter]) -> dict[str, Any]:
    """Per dead-letter topic: how many, oldest and newest failure, by error type and by who
    dead-lettered it (service, consumer group and handler)."""
    result: dict[str, Any] = {}
    for name, group in sorted(by_topic(letters).items()):
        failed = sorted(letter.failed_at for letter in group if letter.failed_at)
        result[name] = {
            "count": len(group),
            "original_records": len({letter.identity for letter in group}),
            "oldest": failed[0] if failed else None,
            "newest": failed[-1] if failed else None,
            "by_error_type": dict(Counter(letter.error_type for letter in group).most_common()),
            "by_consumer": dict(
                Counter(
                    f"{letter.service}/{letter.group or '?'}/{letter.handler}" for letter in group
                ).most_common()
            ),
        }
    return result


def describe(letter: DeadLetter) -> dict[str, Any]:
    """One dead letter for people: where it came from, why it failed, its headers and body."""
    return {
        "ref": letter.ref,
        "original": {
            "topic": letter.original_topic,
            "partition": (letter.original_position or (None, None))[0],
            "offset": (letter.original_position or (None, None))[1],
        },
        "error_type": letter.error_type,
        "error": letter.error,
        "service": letter.service,
        "consumer_group": letter.group,
        "handler": letter.handler,
        "failed_at": letter.failed_at,
        "key": _shown(letter.key),
        "headers": {name: _shown(value) for name, value in letter.original_headers()},
        "body": _shown(letter.value),
    }


def _shown(value: bytes | None) -> str | None:
    """Text when it is UTF-8 (printed as is), else `hex:` and the bytes."""
    if value is None:
        return None
    try:
        return value.decode()
    except UnicodeDecodeError:
        return "hex:" + value.hex()


class RefusedInput(ValueError):
    """An actor or reason that cannot go on record."""


def checked_text(name: str, value: str, *, limit: int) -> str:
    text = value.strip()
    problem = unstorable(text)
    if problem is None and not has_visible_character(text):
        problem = "is empty or only invisible characters"
    if problem is None and len(text) > limit:
        problem = f"is longer than {limit} characters"
    if problem is not None:
        raise RefusedInput(f"{name} {problem}")
    return text


@dataclass(frozen=True, slots=True)
class Outcome:
    letter: DeadLetter
    replayed_to: str | None


async def act(
    bootstrap_servers: str,
    letters: Iterable[DeadLetter],
    *,
    action: Action,
    actor: str,
    reason: str,
    producer: ExactProducer | None = None,
) -> list[Outcome]:
    """Replay (once per original record) or purge the letters, recording each on
    `academy.operations.v1`. A replay is sent and acknowledged before its record is written."""
    own = producer is None
    producer = producer or ExactProducer(bootstrap_servers, client_id="academy-dlq-cli")
    outcomes: list[Outcome] = []
    try:
        replayed: dict[object, tuple[int, int]] = {}
        for letter in letters:
            where: tuple[int, int] | None = None
            if action == "replayed":
                if letter.identity not in replayed:
                    sent = await producer.send(
                        letter.original_topic,
                        key=letter.key,
                        value=letter.value,
                        headers=letter.original_headers(),
                    )
                    replayed[letter.identity] = (sent.partition, sent.offset)
                where = replayed[letter.identity]
            record = encode(_handled_event(letter, action, actor, reason, where))
            await producer.send(
                record.topic,
                key=record.key,
                value=record.value,
                headers=[(name, value.encode()) for name, value in record.headers.items()],
            )
            shown = f"{letter.original_topic}/{where[0]}/{where[1]}" if where else None
            outcomes.append(Outcome(letter=letter, replayed_to=shown))
    finally:
        if own:
            await producer.stop()
    return outcomes


def _handled_event(
    letter: DeadLetter, action: Action, actor: str, reason: str, where: tuple[int, int] | None
) -> Envelope[DeadLetterHandled]:
    position = letter.original_position
    tenant = letter.original_header("ce_tenantid") or ""
    data = DeadLetterHandled(
        action=action,
        actor=actor,
        reason=reason,
        dead_letter_topic=letter.topic,
        dead_letter_partition=letter.partition,
        dead_letter_offset=letter.offset,
        original_topic=letter.original_topic,
        original_partition=position[0] if position else None,
        original_offset=position[1] if position else None,
        event_id=_label(letter.original_header("ce_id")),
        event_type=_label(letter.original_header("ce_type")),
        error_type=letter.error_type,
        service=letter.service,
        consumer_group=letter.group,
        handler=letter.handler,
        replayed_partition=where[0] if where else None,
        replayed_offset=where[1] if where else None,
        at=datetime.now(UTC),
    )
    # In the operator's own audit log when the record names a usable operator.
    usable = bool(TENANT_PATTERN.fullmatch(tenant))
    return Envelope(data=data, tenantid=tenant if usable else topics.PLATFORM_TENANT, source=SOURCE)


def _label(value: str | None) -> str | None:
    """A header worth recording (a hostile record's id or type may be anything)."""
    if value is None or len(value) > 200 or unstorable(value) is not None:
        return None
    return value
