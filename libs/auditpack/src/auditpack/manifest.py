"""manifest.json and keys.json: strict models and their one canonical (RFC 8785) encoding."""

from collections.abc import Sequence
from typing import Annotated, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditpack.derive import RELEASE_CSV, TRAINING_CSV
from auditpack.period import Period, parse_utc
from auditpack.records import RecordError, canonical_json, load_json
from auditpack.register import REGISTER_CSV
from auditpack.summary import SUMMARY_HTML

FORMAT: Final = "academy-auditpack/1"
EVENTS_JSONL = "events.jsonl"
KEYS_JSON = "keys.json"
MANIFEST_JSON = "manifest.json"
MANIFEST_SIG = "manifest.sig"

#: Files listed in the manifest, in zip and manifest order, per revision of the contract (same
#: format name): revision 2 added training-register.csv and the training rule of
#: `trained_before_release`; a pack without the register is a revision-1 pack.
LISTED_FILES_BY_REVISION: Final[dict[int, tuple[str, ...]]] = {
    1: (EVENTS_JSONL, TRAINING_CSV, RELEASE_CSV, SUMMARY_HTML, KEYS_JSON),
    2: (EVENTS_JSONL, TRAINING_CSV, RELEASE_CSV, REGISTER_CSV, SUMMARY_HTML, KEYS_JSON),
}
#: The revision every pack is built in now.
REVISION: Final = 2
LISTED_FILES = LISTED_FILES_BY_REVISION[REVISION]
#: Every file of a pack, in zip order.
PACK_FILES = (*LISTED_FILES, MANIFEST_JSON, MANIFEST_SIG)
#: Files whose manifest entry counts data rows; the others carry `"rows": null`.
ROW_FILES = frozenset({EVENTS_JSONL, TRAINING_CSV, RELEASE_CSV, REGISTER_CSV})


def pack_files(revision: int) -> tuple[str, ...]:
    """Every file of a pack of `revision`, in zip order."""
    return (*LISTED_FILES_BY_REVISION[revision], MANIFEST_JSON, MANIFEST_SIG)


def revision_of(names: Sequence[str], *, listed: bool = False) -> int | None:
    """The contract revision whose file set (or, with `listed`, manifest file list) is exactly
    `names`, in order; None when no revision's is."""
    for revision, files in LISTED_FILES_BY_REVISION.items():
        if list(names) == list(files if listed else pack_files(revision)):
            return revision
    return None


Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Timestamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")]
Count = Annotated[int, Field(ge=0)]


class ManifestError(ValueError):
    """A manifest.json or keys.json that is malformed or not canonical."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class FileEntry(_Strict):
    path: str
    sha256: Hex64
    bytes: Count
    rows: Count | None


class PeriodJson(_Strict):
    start: Timestamp
    end: Timestamp

    def to_period(self) -> Period:
        return Period(parse_utc(self.start), parse_utc(self.end))


class LogJson(_Strict):
    tree_size_before: Count
    frontier_before: list[Hex64]
    tree_size: Count
    root: Hex64


class Manifest(_Strict):
    format: Literal["academy-auditpack/1"]
    operator_id: str = Field(min_length=1)
    period: PeriodJson
    pack_seq: int = Field(ge=1)
    previous_manifest_sha256: Hex64 | None
    files: list[FileEntry]
    log: LogJson
    key_id: str = Field(min_length=1)


class KeyJson(_Strict):
    key_id: str = Field(min_length=1)
    alg: Literal["Ed25519"]
    public_key: str
    valid_from: Timestamp
    valid_until: Timestamp | None


class KeysJson(_Strict):
    keys: list[KeyJson]


def encode_model(model: BaseModel) -> bytes:
    """The canonical bytes: RFC 8785 of the JSON form (every key present, nulls included)."""
    return canonical_json(model.model_dump(mode="json"))


M = TypeVar("M", bound=BaseModel)


def _decode(kind: type[M], raw: bytes, what: str) -> M:
    try:
        value = load_json(raw)
        model = kind.model_validate(value)
    except RecordError as exc:
        raise ManifestError(f"{what} is not JSON: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        raise ManifestError(f"{what} does not have the contract's shape: {problems}") from exc
    if encode_model(model) != raw:
        raise ManifestError(f"{what} is not in canonical form (RFC 8785)")
    return model


def decode_manifest(raw: bytes) -> Manifest:
    return _decode(Manifest, raw, MANIFEST_JSON)


def decode_keys(raw: bytes) -> KeysJson:
    return _decode(KeysJson, raw, KEYS_JSON)
