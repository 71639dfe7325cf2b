"""Text no service can store is refused with 422 naming the field, before any route runs."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from sqlalchemy import MetaData

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_runtime.text import FreeText, ReasonText, has_visible_character, unstorable

CALLS: list[str] = []


class Note(BaseModel):
    reason: ReasonText
    note: FreeText | None = None
    tags: list[str] = []


def _app() -> FastAPI:
    settings = ServiceSettings(environment="test")
    runtime = ServiceRuntime(settings, schema="guardtest", metadata=MetaData(schema="guardtest"))
    router = APIRouter()

    @router.get("/things/{thing_id}")
    async def get_thing(thing_id: str, operator_id: str | None = None) -> dict[str, str | None]:
        CALLS.append(thing_id)
        return {"thing": thing_id, "operator": operator_id}

    @router.post("/things/{thing_id}/notes")
    async def post_note(thing_id: str, body: Note) -> dict[str, str]:
        CALLS.append(thing_id)
        return {"reason": body.reason}

    return build_app(runtime, title="t", description="t", routers=[router])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    CALLS.clear()
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as c:
        yield c


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    fields = [problem["field"] for problem in body["problems"]]
    for field in fields:
        assert field in body["detail"]
    return fields


async def test_nul_in_a_path_segment_names_the_path_parameter(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/things/a%00b")
    assert _fields(response) == ["path.thing_id"]
    assert "NUL" in response.json()["problems"][0]["problem"]
    assert CALLS == []


async def test_control_character_in_a_query_value_names_the_parameter(client) -> None:  # type: ignore[no-untyped-def]
    assert _fields(await client.get("/things/a?operator_id=a%00b")) == ["query.operator_id"]
    assert _fields(await client.get("/things/a?operator_id=a%1Bb")) == ["query.operator_id"]
    assert CALLS == []


async def test_nul_in_a_body_field_names_the_field(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/things/a/notes", json={"reason": "bad\u0000reason"})
    assert _fields(response) == ["reason"]
    nested = await client.post("/things/a/notes", json={"reason": "fine", "tags": ["ok", "\x07"]})
    assert _fields(nested) == ["tags.1"]
    assert CALLS == []


async def test_line_breaks_and_tabs_are_fine_in_free_text(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/things/a/notes", json={"reason": "first line\n\tsecond line", "note": "a\r\nb"}
    )
    assert response.status_code == 200, response.text


async def test_a_reason_of_only_invisible_characters_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    for reason in ["\u200b\u200b\u200b", "   ", "\u00a0\u2060\ufeff", "\u3000\u200d\u200c"]:
        assert _fields(await client.post("/things/a/notes", json={"reason": reason})) == ["reason"]


async def test_whole_body_errors_name_the_body(client) -> None:  # type: ignore[no-untyped-def]
    assert _fields(await client.post("/things/a/notes", json=["a", "list"])) == ["body"]
    assert _fields(await client.post("/things/a/notes")) == ["body"]
    broken = await client.post(
        "/things/a/notes",
        content=b'{"reason": "\xff"}',
        headers={"content-type": "application/json"},
    )
    assert _fields(broken) == ["body"]


async def test_lone_surrogates_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/things/a/notes",
        content=b'{"reason": "ok \\ud800 text"}',
        headers={"content-type": "application/json"},
    )
    assert _fields(response) == ["reason"]


async def test_oversized_bodies_are_refused_with_413(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/things/a/notes", json={"reason": "x" * 2_000_000})
    assert response.status_code == 413
    assert response.json()["problems"][0]["field"] == "body"


def test_unstorable_and_visible_rules() -> None:
    assert unstorable("plain text") is None
    assert unstorable("tab\there") is not None
    assert unstorable("tab\there", free_text=True) is None
    assert unstorable("\x85", free_text=True) is not None
    assert has_visible_character("  a ")
    assert not has_visible_character("\u200b\u00ad\u2062")
