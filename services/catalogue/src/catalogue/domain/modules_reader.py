"""Reading catalogue.yaml and module folders (module.yaml, lessons, questions.yaml)."""

from pathlib import Path

from catalogue.domain.errors import ContentErrors, Loc
from catalogue.domain.fields import ROLE_PATTERN, VERSION_PATTERN, Cursor
from catalogue.domain.model import CatalogueMeta, Definition, Lesson, Module, Origin, Question
from catalogue.domain.questions import parse_question
from catalogue.domain.yamldoc import read_text, read_yaml, relative

CATALOGUE_FILE = "catalogue.yaml"
MODULE_FILE = "module.yaml"
MODULE_FIELDS = {"id", "version", "title", "summary", "lessons", "questions"}


def parse_meta(root: Path, errors: ContentErrors) -> CatalogueMeta:
    doc = read_yaml(root, root / CATALOGUE_FILE, errors)
    if doc is None:
        return CatalogueMeta("", "", "", (), (), Loc(CATALOGUE_FILE))
    top = Cursor.root(doc, errors)
    if not top.is_mapping({"id", "title", "notice", "roles", "tooling"}):
        return CatalogueMeta("", "", "", (), (), top.loc)
    roles = tuple(_definitions(top, "roles", role=True))
    tooling = tuple(_definitions(top, "tooling", role=False))
    return CatalogueMeta(
        id=top.ident("id") or "",
        title=top.text("title"),
        notice=top.text("notice"),
        roles=roles,
        tooling=tooling,
        loc=top.loc,
    )


def _definitions(top: Cursor, name: str, *, role: bool) -> list[Definition]:
    found: list[Definition] = []
    for item in top.items(name, min_items=1):
        if not item.is_mapping({"id", "title"}):
            continue
        ident = item.ident("id", ROLE_PATTERN) if role else item.ident("id")
        title = item.text("title")
        if ident is not None:
            found.append(Definition(ident, title, item.child("id").loc))
    return found


def parse_modules(
    root: Path,
    folder: Path,
    *,
    origin: Origin,
    owner: str | None,
    errors: ContentErrors,
    unreadable: set[str],
) -> tuple[Module, ...]:
    """Every `<folder>/<module-id>/module.yaml`, in folder-name order.

    Folders whose module could not be read are added to `unreadable`, so that references to
    them do not produce a second, misleading error.
    """
    if not folder.is_dir():
        return ()
    modules: list[Module] = []
    for directory in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not (directory / MODULE_FILE).is_file():
            errors.add(Loc(relative(root, directory)), f"module folder has no {MODULE_FILE}")
            unreadable.add(directory.name)
            continue
        module = _parse_module(root, directory, origin=origin, owner=owner, errors=errors)
        if module is None:
            unreadable.add(directory.name)
        else:
            modules.append(module)
    return tuple(modules)


def _parse_module(
    root: Path, directory: Path, *, origin: Origin, owner: str | None, errors: ContentErrors
) -> Module | None:
    doc = read_yaml(root, directory / MODULE_FILE, errors)
    if doc is None:
        return None
    top = Cursor.root(doc, errors)
    if not top.is_mapping(MODULE_FIELDS):
        return None
    module_id = top.ident("id")
    if module_id is not None and module_id != directory.name:
        top.child("id").fail(f"'{module_id}' must match its folder name '{directory.name}'")
    version = _version(top)
    title = top.text("title")
    summary = top.text("summary", required=False)
    lessons = tuple(_lessons(root, directory, top))
    questions = _questions(root, directory, top)
    if module_id is None:
        return None
    return Module(module_id, version, title, summary, origin, owner, lessons, questions, top.loc)


def _version(top: Cursor) -> str:
    field = top.child("version")
    if not top.has("version"):
        top.errors.add(top.loc, "version is required")
    elif not isinstance(field.value, str):
        field.fail(f'must be quoted text such as "1.0.0", got {field.value!r}')
    elif not VERSION_PATTERN.match(field.value):
        field.fail(f"must look like 1.2.0, got {field.value!r}")
    else:
        return field.value
    return "0.0.0"


def _lessons(root: Path, directory: Path, top: Cursor) -> list[Lesson]:
    lessons: list[Lesson] = []
    for item in top.items("lessons", min_items=1):
        if not item.is_mapping({"id", "title", "file"}):
            continue
        lesson_id = item.ident("id")
        title = item.text("title")
        body = markdown_file(root, directory, item, "file")
        if lesson_id is not None:
            lessons.append(Lesson(lesson_id, title, body or "", item.loc))
    return lessons


def _questions(root: Path, directory: Path, top: Cursor) -> tuple[Question, ...]:
    """Questions live in their own file (`questions: questions.yaml`); a module may have none."""
    if not top.has("questions"):
        return ()
    name = top.text("questions")
    if not name:
        return ()
    path = inside(root, directory / name, top.child("questions"))
    if path is None:
        return ()
    if not path.is_file():
        top.child("questions").fail(f"names a missing file: {relative(root, path)}")
        return ()
    doc = read_yaml(root, path, top.errors)
    if doc is None:
        return ()
    bank = Cursor.root(doc, top.errors)
    if not bank.is_mapping({"questions"}):
        return ()
    parsed = (parse_question(item) for item in bank.items("questions", min_items=1))
    return tuple(question for question in parsed if question is not None)


def inside(root: Path, path: Path, cursor: Cursor) -> Path | None:
    """`path` if it stays inside the content root (no `..` escapes), else None (reported)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        cursor.fail(f"must stay inside the content directory, got {cursor.value!r}")
        return None
    return resolved


def markdown_file(root: Path, base: Path, item: Cursor, name: str) -> str | None:
    """The Markdown file named by `item.<name>`, relative to `base`, normalised."""
    file_name = item.text(name)
    if not file_name:
        return None
    field = item.child(name)
    path = inside(root, base / file_name, field)
    if path is None:
        return None
    if not path.is_file():
        field.fail(f"names a missing file: {relative(root.resolve(), path)}")
        return None
    text = read_text(root, path, item.errors, where=field.loc)
    if text is None:
        return None
    if not text.strip():
        field.fail(f"names an empty file: {relative(root.resolve(), path)}")
        return None
    return normalise_markdown(text)


def normalise_markdown(text: str) -> str:
    """Trailing spaces and blank lines do not change a lesson's content (or its version)."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"
