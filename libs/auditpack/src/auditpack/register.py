"""training-register.csv (contract revision 2): each staff member's standing on each track, as
the last event of the period that carries it (`data.training`) states it.

Every training, attempt and certificate event carries the staff member's `TrainingState` as of
that event, so the register needs no history from before the period: it is the last state per
staff member and track, in log order, and anyone can recompute it from events.jsonl alone.
"""

from collections.abc import Iterator, Mapping
from typing import Any, Final

from pydantic import ValidationError

from auditpack.derive import LIST_SEPARATOR, DerivationError, time_text
from auditpack.records import RecordError, load_json
from contracts.assessment import TRAINING_CARRIERS, TrainingCarrier, TrainingState

REGISTER_CSV: Final = "training-register.csv"

#: The header line exactly as the audit pack contract states it.
REGISTER_HEADER_LINE = (
    "staff_id,staff_name,staff_email,role,jurisdiction,regulator,track_key,track_title,"
    "track_version,modules_required,modules_completed,attempts,best_score,pass_mark,result,"
    "certificate_id,certificate_valid_until"
)
REGISTER_HEADER = tuple(REGISTER_HEADER_LINE.split(","))

_Carrier = TrainingCarrier
_MODELS: Final[dict[str, type[_Carrier]]] = {model.ce_type: model for model in TRAINING_CARRIERS}
#: The event types that carry a `TrainingState` (older events of these types may not).
REGISTER_TYPES: Final = frozenset(_MODELS)

#: (staff_id, track_key): one register row each.
RegisterKey = tuple[str, str]

#: What the canonical (RFC 8785) line of every event carrying a training state holds: its
#: `training` key with an object value. Lines without it need no parsing for the register.
TRAINING_MARK: Final = b'"training":{'


def register_row(staff_id: str, state: TrainingState) -> list[str]:
    return [
        staff_id,
        state.staff_name,
        state.staff_email,
        state.role,
        state.jurisdiction,
        state.regulator,
        state.track_key,
        state.track_title,
        state.track_version,
        LIST_SEPARATOR.join(state.modules_required),
        LIST_SEPARATOR.join(
            f"{done.module_id}={time_text(done.completed_at)}" for done in state.modules_completed
        ),
        str(state.attempts),
        "" if state.best_score is None else str(state.best_score),
        str(state.pass_mark),
        state.result or "",
        state.certificate_id or "",
        time_text(state.certificate_valid_until),
    ]


def register_entry(event: Mapping[str, Any]) -> tuple[RegisterKey, list[str]] | None:
    """The register key and row an event gives, or None when it carries no training state."""
    ce_type = event.get("type")
    model = _MODELS.get(ce_type) if isinstance(ce_type, str) else None
    data = event.get("data")
    if model is None or not isinstance(data, Mapping) or data.get("training") is None:
        return None
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise DerivationError(f"{ce_type} data does not match its contract: {exc}") from exc
    state = parsed.training
    if state is None:  # not after the check above; narrows the type
        return None
    return (parsed.staff_id, state.track_key), register_row(parsed.staff_id, state)


def register_key(event: Mapping[str, Any]) -> RegisterKey | None:
    """Which register row an event's training state is for, or None when it carries none;
    read without validating the event (only the state a row shows is validated, in `rows`)."""
    ce_type = event.get("type")
    data = event.get("data")
    if ce_type not in REGISTER_TYPES or not isinstance(data, Mapping):
        return None
    training = data.get("training")
    if training is None:
        return None
    staff_id = data.get("staff_id")
    track_key = training.get("track_key") if isinstance(training, Mapping) else None
    if not isinstance(staff_id, str) or not isinstance(track_key, str):
        raise DerivationError(f"{ce_type} has a training state without staff_id and track_key")
    return staff_id, track_key


class Register:
    """The last training state per staff member and track fed so far (a later event replaces
    an earlier one), kept as its canonical line: memory grows with staff and tracks, not with
    events, and only the states that make rows are validated and formatted."""

    def __init__(self) -> None:
        self._lines: dict[RegisterKey, bytes] = {}

    def add(self, event: Mapping[str, Any], line: bytes) -> None:
        """Feed one parsed event and its canonical record line, in log order."""
        key = register_key(event)
        if key is not None:
            self._lines[key] = line

    def add_lines(self, lines: bytes) -> None:
        """Feed the events of canonical audit record lines (a slice of events.jsonl), in log
        order, parsing only the lines that hold TRAINING_MARK: a day's lessons from before
        training states were recorded, and every other event, cost one search of the text."""
        found = lines.find(TRAINING_MARK)
        while found != -1:
            start = lines.rfind(b"\n", 0, found) + 1
            end = lines.find(b"\n", found)
            end = len(lines) if end == -1 else end
            line = lines[start:end]
            record = load_json(line)
            event = record.get("event") if isinstance(record, dict) else None
            if not isinstance(event, Mapping):
                raise RecordError("a line holding a training state is not an audit record")
            self.add(event, line)
            found = lines.find(TRAINING_MARK, end)

    def __len__(self) -> int:
        return len(self._lines)

    def rows(self) -> Iterator[list[str]]:
        """The register's data rows, ordered by staff_id, then track_key (code point order);
        raises DerivationError when the state a row shows breaks its event's contract."""
        for key in sorted(self._lines):
            entry = register_entry(load_json(self._lines[key])["event"])
            if entry is None or entry[0] != key:
                raise DerivationError(f"the last training state of {key} makes no register row")
            yield entry[1]
