"""Read a content directory into `Content`, recording every problem instead of stopping."""

from pathlib import Path

from catalogue.domain.errors import ContentErrors, Loc
from catalogue.domain.jurisdictions_reader import parse_jurisdictions
from catalogue.domain.model import CatalogueMeta, Content
from catalogue.domain.modules_reader import CATALOGUE_FILE, parse_meta, parse_modules


def parse_content(root: Path) -> tuple[Content, ContentErrors]:
    """Everything under `root`; the content is best effort wherever errors were recorded."""
    errors = ContentErrors()
    if not root.is_dir():
        errors.add(Loc(root.as_posix()), "content directory not found")
        empty = CatalogueMeta("", "", "", (), (), Loc(CATALOGUE_FILE))
        return Content(empty, (), ()), errors
    root = root.resolve()
    meta = parse_meta(root, errors)
    unreadable: set[str] = set()
    core = parse_modules(
        root,
        root / "core" / "modules",
        origin="core",
        owner=None,
        errors=errors,
        unreadable=unreadable,
    )
    jurisdictions = parse_jurisdictions(root, errors, unreadable)
    return Content(meta, core, jurisdictions, frozenset(unreadable)), errors
