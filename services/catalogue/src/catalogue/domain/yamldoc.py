"""YAML documents that remember the line of every key and item, for precise error messages."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from catalogue.domain.errors import ContentErrors, Loc

Key = str | int
KeyPath = tuple[Key, ...]


@dataclass(frozen=True)
class YamlDoc:
    """Plain data parsed from one file plus `lines`: key path -> 1-based line number."""

    path: str
    data: object
    lines: Mapping[KeyPath, int]

    def loc(self, keys: KeyPath = ()) -> Loc:
        """The line of `keys`, or of its nearest written ancestor."""
        for end in range(len(keys), -1, -1):
            line = self.lines.get(keys[:end])
            if line is not None:
                return Loc(self.path, line)
        return Loc(self.path, None)


def relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(
    root: Path, path: Path, errors: ContentErrors, where: Loc | None = None
) -> str | None:
    """A UTF-8 text file with normalised newlines, or None after recording why it is unusable."""
    at = where or Loc(relative(root, path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        errors.add(at, f"file not found: {relative(root, path)}")
        return None
    except OSError as exc:
        errors.add(at, f"cannot read {relative(root, path)}: {exc.strerror}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        errors.add(at, f"{relative(root, path)} is not UTF-8 text")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_yaml(root: Path, path: Path, errors: ContentErrors) -> YamlDoc | None:
    """Parse one YAML file; syntax errors and duplicate keys are recorded with their line."""
    rel = relative(root, path)
    text = read_text(root, path, errors)
    if text is None:
        return None
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # unprintable characters, found before parsing
        at = text[: exc.position].count("\n") + 1
        errors.add(Loc(rel, at), f"invalid YAML: unprintable character {_codepoint(exc.character)}")
        return None
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(rel, None, {(): 1})
        builder = _Builder(loader, rel, errors)
        data = builder.build(node, ())
        return YamlDoc(rel, data, builder.lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "unreadable"
        errors.add(Loc(rel, line), f"invalid YAML: {problem}")
        return None
    except yaml.YAMLError as exc:
        errors.add(Loc(rel), f"invalid YAML: {_first_line(exc)}")
        return None
    except RecursionError:
        errors.add(Loc(rel), "invalid YAML: nested too deeply")
        return None
    finally:
        loader.dispose()


def _codepoint(character: object) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "?")
    return f"U+{code:04X}"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class _Builder:
    """Turns a composed node tree into plain data, recording lines and refusing duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader, path: str, errors: ContentErrors) -> None:
        self.loader = loader
        self.path = path
        self.errors = errors
        self.lines: dict[KeyPath, int] = {}
        self._open: set[int] = set()

    def build(self, node: Node, keys: KeyPath) -> object:
        self.lines[keys] = node.start_mark.line + 1
        if id(node) in self._open:
            self.errors.add(Loc(self.path, node.start_mark.line + 1), "recursive YAML alias")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, keys)
            if isinstance(node, SequenceNode):
                return [self.build(item, (*keys, index)) for index, item in enumerate(node.value)]
            if isinstance(node, ScalarNode):
                return self.loader.construct_object(node, deep=True)
            return None
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: MappingNode, keys: KeyPath) -> dict[Key, object]:
        self.loader.flatten_mapping(node)
        result: dict[Key, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = self.loader.construct_object(key_node, deep=True)
            if isinstance(key, bool) or not isinstance(key, str | int):
                self.errors.add(Loc(self.path, line), f"mapping keys must be text, got {key!r}")
                continue
            if key in result:
                self.errors.add(Loc(self.path, line), f"duplicate key '{key}'")
                continue
            result[key] = self.build(value_node, (*keys, key))
            self.lines[(*keys, key)] = line
        return result
