"""Typed reads from parsed YAML that record every problem (with its line) instead of raising."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from catalogue.domain.errors import ContentErrors, Loc
from catalogue.domain.yamldoc import Key, KeyPath, YamlDoc
from contracts import identifiers

#: Ids of modules, lessons, questions, options and tooling: lowercase words joined by - . _
#: (the patterns are the one definition in contracts.identifiers)
ID_PATTERN = re.compile(identifiers.CONTENT_ID_PATTERN)
ROLE_PATTERN = re.compile(identifiers.ROLE_PATTERN)
CODE_PATTERN = re.compile(identifiers.JURISDICTION_PATTERN)
VERSION_PATTERN = re.compile(r"^\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$")

_MISSING = object()


def type_name(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


@dataclass(frozen=True)
class Cursor:
    """One value inside a YAML document, with its key path for messages and line lookups."""

    doc: YamlDoc
    keys: KeyPath
    value: object
    errors: ContentErrors

    @classmethod
    def root(cls, doc: YamlDoc, errors: ContentErrors) -> "Cursor":
        return cls(doc, (), doc.data, errors)

    @property
    def loc(self) -> Loc:
        return self.doc.loc(self.keys)

    @property
    def where(self) -> str:
        """The field path as an author reads it: `tracks[1].exam.pass_mark`."""
        text = ""
        for key in self.keys:
            text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
        return text

    def fail(self, message: str) -> None:
        self.errors.add(self.loc, f"{self.where} {message}" if self.keys else message)

    def child(self, key: Key, value: object = _MISSING) -> "Cursor":
        if value is _MISSING:
            value = self.value.get(key) if isinstance(self.value, dict) else None
        return Cursor(self.doc, (*self.keys, key), value, self.errors)

    def has(self, name: str) -> bool:
        return isinstance(self.value, dict) and name in self.value

    def is_mapping(self, allowed: set[str]) -> bool:
        """A mapping whose keys are all in `allowed`; unknown keys are reported as typos."""
        if not isinstance(self.value, dict):
            self.fail(f"must be a mapping, got {type_name(self.value)}")
            return False
        for key in self.value:
            if key not in allowed:
                self.child(key).fail("is not a known field")
        return True

    def _present(self, name: str, required: bool) -> "Cursor | None":
        if not self.has(name):
            if required:
                where = f"{self.where}.{name}" if self.keys else name
                self.errors.add(self.loc, f"{where} is required")
            return None
        return self.child(name)

    def text(self, name: str, default: str = "", *, required: bool = True) -> str:
        field = self._present(name, required)
        if field is None:
            return default
        if not isinstance(field.value, str) or not field.value.strip():
            field.fail(f"must be non-empty text, got {type_name(field.value)}")
            return default
        return field.value.strip()

    def ident(self, name: str, pattern: re.Pattern[str] = ID_PATTERN) -> str | None:
        """A required identifier; None when missing or malformed (already reported)."""
        field = self._present(name, True)
        if field is None:
            return None
        return field.as_ident(pattern)

    def as_ident(self, pattern: re.Pattern[str] = ID_PATTERN) -> str | None:
        if not isinstance(self.value, str) or not pattern.match(self.value):
            self.fail(f"must match {pattern.pattern}, got {type_name(self.value)}")
            return None
        return self.value

    def integer(
        self, name: str, default: int, *, lo: int, hi: int | None = None, required: bool = True
    ) -> int:
        field = self._present(name, required)
        if field is None:
            return default
        value = field.value
        if isinstance(value, bool) or not isinstance(value, int):
            field.fail(f"must be a whole number, got {type_name(value)}")
            return default
        if value < lo or (hi is not None and value > hi):
            field.fail(
                f"must be {lo}..{hi}, got {value}"
                if hi is not None
                else f"must be at least {lo}, got {value}"
            )
            return default
        return value

    def number(self, name: str, default: float, *, lo: float, required: bool = True) -> float:
        field = self._present(name, required)
        if field is None:
            return default
        value = field.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            field.fail(f"must be a number, got {type_name(value)}")
            return default
        if value < lo:
            field.fail(f"must be at least {lo:g}, got {value}")
            return default
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        field = self._present(name, False)
        if field is None:
            return default
        if not isinstance(field.value, bool):
            field.fail(f"must be true or false, got {type_name(field.value)}")
            return default
        return field.value

    def choice(
        self, name: str, options: tuple[str, ...], default: str, *, required: bool = False
    ) -> str:
        field = self._present(name, required)
        if field is None:
            return default
        if field.value not in options:
            field.fail(f"must be one of {', '.join(options)}, got {type_name(field.value)}")
            return default
        return str(field.value)

    def items(self, name: str, *, required: bool = True, min_items: int = 0) -> Iterator["Cursor"]:
        """The entries of a list field, each as a cursor."""
        field = self._present(name, required)
        if field is None:
            return
        if not isinstance(field.value, list):
            field.fail(f"must be a list, got {type_name(field.value)}")
            return
        if len(field.value) < min_items:
            field.fail(f"must list at least {min_items}, got {len(field.value)}")
        for index, item in enumerate(field.value):
            yield field.child(index, item)

    def section(self, name: str, allowed: set[str], *, required: bool = True) -> "Cursor | None":
        """A nested mapping field, checked for unknown keys."""
        field = self._present(name, required)
        if field is None or not field.is_mapping(allowed):
            return None
        return field
