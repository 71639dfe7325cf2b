"""The reference portal's pages: sign-in as a demo person, the portal page (tooling and
Certification tabs), the session's token for the academy elements, and the tooling events."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse

from academy.local import portal_pages
from academy.local.portal_events import Fanout, tooling_stream
from academy.local.portal_people import DemoPerson, placed_elements, sees_every_operator
from academy.local.portal_sessions import (
    SESSION_COOKIE,
    IssuerUnavailableError,
    Session,
    SessionStore,
    TokenIssuer,
    UnknownPersonError,
    sign_in,
)
from academy.local.portal_settings import PortalSettings
from academy.local.portal_store import unlock_rows
from academy_runtime.service import ServiceRuntime

STATIC_DIR = Path(__file__).with_name("portal_static")
NO_STORE = {"Cache-Control": "no-store"}
FORM = "application/x-www-form-urlencoded"


@dataclass
class PortalWeb:
    """What the pages need: who may sign in, where tokens come from, the open sessions."""

    settings: PortalSettings
    people: Sequence[DemoPerson]
    issuer: TokenIssuer
    sessions: SessionStore
    fanout: Fanout

    def session(self, request: Request) -> Session | None:
        return self.sessions.get(request.cookies.get(SESSION_COOKIE))

    def watched_operator(self, session: Session) -> str | None:
        """The operator whose tooling the person sees; None: every operator (vendor support)."""
        staff_tenant = self.settings.staff_tenant
        if sees_every_operator(session.person, staff_tenant=staff_tenant):
            return None
        return session.person.operator_id


def _signed_out() -> JSONResponse:
    return JSONResponse(
        {"error": "unauthorized", "detail": "no portal session: sign in again at /"},
        status_code=401,
        headers=NO_STORE,
    )


def portal_router(web: PortalWeb) -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def sign_in_page(request: Request) -> HTMLResponse:
        session = web.session(request)
        page = portal_pages.sign_in_page(web.people, current=session.person if session else None)
        return HTMLResponse(page, headers=NO_STORE)

    @router.post("/sign-in", include_in_schema=False)
    async def sign_in_form(request: Request) -> Response:
        body = await request.body()
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if body and content_type != FORM:
            return _sign_in_refused(web, f"send the form as {FORM}", status=415)
        form = parse_qs(body.decode("utf-8", "replace"))
        chosen = form.get("person", [""])[0]
        if not chosen:
            return _sign_in_refused(web, "person: choose who to sign in as", status=422)
        web.sessions.end(request.cookies.get(SESSION_COOKIE))
        try:
            session = await sign_in(
                chosen,
                people=web.people,
                issuer=web.issuer,
                sessions=web.sessions,
                ttl_s=web.settings.session_ttl_s,
            )
        except UnknownPersonError as exc:
            return _sign_in_refused(web, f"person: {exc}", status=422)
        except IssuerUnavailableError as exc:
            return _sign_in_refused(web, f"Signing in failed: {exc}", status=502)
        response = RedirectResponse("/portal", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            session.id,
            max_age=web.settings.session_ttl_s,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @router.post("/sign-out", include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        web.sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    @router.get("/portal", response_class=HTMLResponse, include_in_schema=False)
    async def portal_page(request: Request) -> Response:
        session = web.session(request)
        if session is None:
            return RedirectResponse("/", status_code=303)
        person = session.person
        page = portal_pages.portal_page(
            person,
            elements=placed_elements(person, staff_tenant=web.settings.staff_tenant),
            assessment_url=web.settings.assessment_url,
            release_bridge_url=web.settings.release_bridge_url,
            tooling=await _tooling(request, web, session),
        )
        return HTMLResponse(page, headers=NO_STORE)

    @router.get("/portal/tooling", response_class=HTMLResponse, include_in_schema=False)
    async def tooling_panel(request: Request) -> Response:
        session = web.session(request)
        if session is None:
            return _signed_out()
        return HTMLResponse(await _tooling(request, web, session), headers=NO_STORE)

    @router.get(
        "/session/token",
        summary="The signed-in person's bearer token, for the academy elements (401 signed out)",
        responses={401: {"description": "No portal session (signed out or expired)"}},
    )
    async def session_token(request: Request) -> Response:
        session = web.session(request)
        if session is None:
            return _signed_out()
        body: dict[str, Any] = {
            "access_token": session.token,
            "token_type": "Bearer",
            "expires_in": session.seconds_left(web.sessions.now()),
        }
        return JSONResponse(body, headers=NO_STORE)

    @router.get(
        "/events",
        summary="Server-Sent Events: `tooling` when the signed-in operator's tooling changes",
        responses={401: {"description": "No portal session (signed out or expired)"}},
    )
    async def events(request: Request) -> Response:
        session = web.session(request)
        if session is None:
            return _signed_out()
        return StreamingResponse(
            tooling_stream(web.fanout, web.watched_operator(session)),
            media_type="text/event-stream",
            headers={**NO_STORE, "X-Accel-Buffering": "no"},
        )

    return router


def _sign_in_refused(web: PortalWeb, problem: str, *, status: int) -> HTMLResponse:
    page = portal_pages.sign_in_page(web.people, error=problem)
    return HTMLResponse(page, status_code=status, headers=NO_STORE)


async def _tooling(request: Request, web: PortalWeb, session: Session) -> str:
    runtime: ServiceRuntime = request.app.state.runtime
    operator = web.watched_operator(session)
    async with runtime.sessions() as db:
        rows = await unlock_rows(db, operator_id=operator)
    return portal_pages.tooling_panel(rows, operator_id=operator)
