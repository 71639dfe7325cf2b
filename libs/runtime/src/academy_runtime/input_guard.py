"""Refuse text no service can store before any route sees it: one guard for every service.

Path segments, query parameters and JSON bodies are checked against `text.unstorable`; the
answer is the same 422 body as every other validation error, naming the field
(`path.<name>`, `query.<name>`, a dotted JSON path, or `body` for the body as a whole).
"""

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from academy_runtime.errors import ErrorBody, Problem
from academy_runtime.text import unstorable

#: Bodies are small JSON documents; anything larger is refused before it is buffered whole.
MAX_BODY_BYTES = 1_048_576


def invalid_request_body(problems: list[dict[str, str]]) -> dict[str, Any]:
    """The one 422 body: `detail` names every field, `problems` says what is wrong with each."""
    fields = ", ".join(problem["field"] for problem in problems) or "body"
    return ErrorBody(
        error="invalid_request",
        detail=f"fix the listed fields: {fields}",
        problems=[Problem.model_validate(problem) for problem in problems],
    ).body()


def invalid_request(problems: list[dict[str, str]], *, status: int = 422) -> JSONResponse:
    return JSONResponse(invalid_request_body(problems), status_code=status)


class InputGuard:
    """ASGI middleware: 422 for NUL, control characters or broken Unicode in any input."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = _path_problems(scope) + _query_problems(scope)
        if problems:
            await invalid_request(problems)(scope, receive, send)
            return
        body, more = await _read_body(receive, self.max_body_bytes)
        if more:
            too_large = [{"field": "body", "problem": f"larger than {self.max_body_bytes} bytes"}]
            await invalid_request(too_large, status=413)(scope, receive, send)
            return
        problems = _body_problems(body)
        if problems:
            await invalid_request(problems)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


def _path_problems(scope: Scope) -> list[dict[str, str]]:
    path: str = scope.get("path", "")
    whole = unstorable(path)
    if whole is None:
        return []
    for pattern in _path_patterns(scope.get("app")):
        found = pattern.match(path)
        if found:
            named = [
                {"field": f"path.{name}", "problem": problem}
                for name, value in found.groupdict().items()
                if (problem := unstorable(value))
            ]
            if named:
                return named
    return [{"field": "path", "problem": whole}]


def _path_patterns(app: Any) -> list[re.Pattern[str]]:
    """The documented path templates as regexes (cached on the app), to name a path parameter."""
    state = getattr(app, "state", None)
    if state is None:
        return []
    cached: list[re.Pattern[str]] | None = getattr(state, "input_guard_paths", None)
    if cached is None:
        templates = app.openapi().get("paths", {}) if hasattr(app, "openapi") else {}
        cached = [compile_path(template)[0] for template in templates]
        state.input_guard_paths = cached
    return cached


def _query_problems(scope: Scope) -> list[dict[str, str]]:
    raw: bytes = scope.get("query_string", b"")
    if not raw:
        return []
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return [{"field": "query", "problem": "is not valid UTF-8"}]
    except ValueError as exc:
        return [{"field": "query", "problem": str(exc)}]
    problems = []
    for name, value in pairs:
        problem = unstorable(name) or unstorable(value)
        if problem:
            shown = name if unstorable(name) is None else repr(name)
            problems.append({"field": f"query.{shown}", "problem": problem})
    return problems


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _body_problems(body: bytes) -> list[dict[str, str]]:
    if not body:
        return []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [{"field": "body", "problem": f"is not valid UTF-8 (byte {exc.start})"}]
    try:
        document = json.loads(text)
    except ValueError:
        return []  # not JSON: the route's own validation answers
    return [
        {"field": field or "body", "problem": problem} for field, problem in _walk(document, "")
    ]


def _walk(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        problem = unstorable(value, free_text=True)
        if problem:
            yield where, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            key_problem = unstorable(key)
            name = f"{where}.{key}" if where else key
            if key_problem:
                yield (f"{where}.{key!r}" if where else repr(key)), f"field name {key_problem}"
                continue
            yield from _walk(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}.{index}" if where else str(index))
