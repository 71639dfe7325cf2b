"""The entry points for a content directory: load, validate, resolve."""

from pathlib import Path

from catalogue.domain.errors import ContentErrors, ContentInvalid
from catalogue.domain.loader import parse_content
from catalogue.domain.model import Content
from catalogue.domain.resolution import resolve_content
from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.domain.validation import check_references


def load_content(root: Path) -> tuple[Content, ContentErrors]:
    """The content as written (before overrides) and the problems found while reading it."""
    return parse_content(root)


def inspect(root: Path) -> tuple[ResolvedCatalogue, ContentErrors]:
    """Read, cross-check and resolve; the catalogue is only trustworthy when errors is empty."""
    content, errors = parse_content(root)
    check_references(content, errors)
    resolved = resolve_content(content, errors)
    return resolved, errors.sorted()


def validate(root: Path) -> ContentErrors:
    """Every problem in the content directory, in file and line order; empty means valid."""
    return inspect(root)[1]


def resolve(root: Path) -> ResolvedCatalogue:
    """The resolved catalogue; raises `ContentInvalid` (with every problem) on bad content."""
    resolved, errors = inspect(root)
    if errors:
        raise ContentInvalid(errors)
    return resolved
