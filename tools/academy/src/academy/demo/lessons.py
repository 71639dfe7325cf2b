"""What a lesson served by the assessment API must look like to the demo's trainee."""

import hashlib
import re
from dataclasses import dataclass
from typing import Any

HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class LessonRef:
    """A lesson as the track detail lists it: its module and the href to open it."""

    module_id: str
    lesson_id: str
    version: str
    href: str


def lessons_in_order(track: dict[str, Any]) -> list[LessonRef]:
    """Every lesson of `GET /v1/me/tracks/{key}`, in track order (module by module)."""
    return [
        LessonRef(module["id"], lesson["id"], lesson["version"], lesson["href"])
        for module in track["modules"]
        for lesson in module["lessons"]
    ]


def required_modules(track: dict[str, Any]) -> list[str]:
    """The modules the exam requires: the track's `exam.required_modules`, or all of them."""
    named: list[str] | None = track["exam"].get("required_modules")
    return list(named) if named is not None else [m["id"] for m in track["modules"]]


def lesson_problems(
    served: dict[str, Any],
    *,
    track_key: str,
    track_version: str,
    expected: LessonRef,
    previous: LessonRef | None,
    following: LessonRef | None,
) -> list[str]:
    """How a served lesson differs from the track detail that linked it (empty when it agrees)."""
    where = f"{track_key} {expected.lesson_id}"
    problems = []
    digest = served.get("content_digest", "")
    if not HEX64.fullmatch(digest):
        problems.append(f"{where}: content_digest {digest!r} is not 64 hex digits")
    elif hashlib.sha256(served.get("markdown", "").encode()).hexdigest() != digest:
        problems.append(f"{where}: content_digest is not the SHA-256 of the markdown served")
    if not served.get("html", "").strip():
        problems.append(f"{where}: html is empty")
    same = {
        "track_key": track_key,
        "track_version": track_version,
        "module_id": expected.module_id,
        "lesson_id": expected.lesson_id,
        "version": expected.version,
        "previous_href": previous.href if previous else None,
        "next_href": following.href if following else None,
        "completion_href": f"/v1/me/tracks/{track_key}/modules/{expected.module_id}"
        f"/lessons/{expected.lesson_id}/completion",
    }
    problems += [
        f"{where}: {name} is {served.get(name)!r}, expected {value!r}"
        for name, value in same.items()
        if served.get(name) != value
    ]
    return problems
