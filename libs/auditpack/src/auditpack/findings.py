"""Verification findings: which file, which check, what is wrong."""

from dataclasses import dataclass, field

#: Per (file, check) at most this many findings are kept; a flood helps nobody.
MAX_PER_CHECK = 5


@dataclass(frozen=True, slots=True)
class Finding:
    file: str
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.file}: {self.check}: {self.detail}"


@dataclass(slots=True)
class Findings:
    """Collects failures, capping repeats of the same check."""

    items: list[Finding] = field(default_factory=list)
    _counts: dict[tuple[str, str], int] = field(default_factory=dict, init=False, repr=False)

    def fail(self, file: str, check: str, detail: str) -> None:
        key = (file, check)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count <= MAX_PER_CHECK:
            self.items.append(Finding(file, check, detail))
        elif count == MAX_PER_CHECK + 1:
            self.items.append(Finding(file, check, "further failures of this check not shown"))

    def __bool__(self) -> bool:
        return bool(self.items)
