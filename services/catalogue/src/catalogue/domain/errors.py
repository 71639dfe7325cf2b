"""Content problems, each pinned to a file and line so an author can fix it in one go."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Loc:
    """Where something was written: a path relative to the content root and a 1-based line."""

    path: str
    line: int | None = None


@dataclass(frozen=True, order=True)
class ContentError:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class ContentErrors(list[ContentError]):
    """Every problem found in a content directory; empty means the content may be published."""

    def add(self, where: Loc, message: str) -> None:
        self.append(ContentError(where.path, where.line, message))

    def sorted(self) -> "ContentErrors":
        """Problems in file order, duplicates dropped."""
        return ContentErrors(sorted(set(self), key=_error_order))

    def render(self) -> str:
        return "\n".join(str(error) for error in self)


def _error_order(error: ContentError) -> tuple[str, int, str]:
    return (error.path, error.line or 0, error.message)


class ContentInvalid(Exception):
    """Raised by `load_catalogue` when content has problems; carries all of them."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = ContentErrors(errors).sorted()
        count = len(self.errors)
        super().__init__(
            f"{count} content problem{'s' if count != 1 else ''}:\n" + self.errors.render()
        )
