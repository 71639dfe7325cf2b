"""Sign-in for the reference portal: a demo person's token from the dev issuer, kept in memory
under a random session id that only an HttpOnly, SameSite=Strict cookie carries.

In memory because the reference portal is one process on the developer's machine; a restart
signs everyone out, which is what a developer restarting it expects.
"""

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from academy.local.portal_people import DemoPerson

SESSION_COOKIE = "academy_portal_session"


class UnknownPersonError(ValueError):
    """The sign-in form named no demo person of this portal."""


class IssuerUnavailableError(RuntimeError):
    """The development issuer did not give a token."""


class TokenIssuer(Protocol):
    async def token_for(self, person: DemoPerson, *, ttl_s: int) -> str: ...


@dataclass(frozen=True)
class Session:
    id: str = field(repr=False)
    person: DemoPerson
    token: str = field(repr=False)
    expires_at: float  # unix seconds, as the token's `exp`

    def seconds_left(self, now: float) -> int:
        return max(0, int(self.expires_at - now))


class SessionStore:
    """Sessions by id; an expired one is gone. At most `limit`: the oldest makes room."""

    def __init__(self, *, now: Callable[[], float] = time.time, limit: int = 10_000) -> None:
        self._now = now
        self._limit = limit
        self._sessions: dict[str, Session] = {}

    def now(self) -> float:
        return self._now()

    def start(self, person: DemoPerson, token: str, *, ttl_s: int) -> Session:
        now = self._now()
        self._sessions = {k: s for k, s in self._sessions.items() if s.expires_at > now}
        while len(self._sessions) >= self._limit:
            del self._sessions[next(iter(self._sessions))]
        session = Session(secrets.token_urlsafe(32), person, token, now + ttl_s)
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        session = self._sessions.get(session_id or "")
        if session is None:
            return None
        if session.expires_at <= self._now():
            del self._sessions[session.id]
            return None
        return session

    def end(self, session_id: str | None) -> bool:
        return self._sessions.pop(session_id or "", None) is not None

    def __len__(self) -> int:
        return len(self._sessions)


def find_person(people: Sequence[DemoPerson], key: str) -> DemoPerson:
    for person in people:
        if person.key == key:
            return person
    raise UnknownPersonError(f"{key!r} is none of this portal's demo people")


async def sign_in(
    key: str,
    *,
    people: Sequence[DemoPerson],
    issuer: TokenIssuer,
    sessions: SessionStore,
    ttl_s: int,
) -> Session:
    """A new session for the demo person `key` with a token as long-lived as the session."""
    person = find_person(people, key)
    token = await issuer.token_for(person, ttl_s=ttl_s)
    return sessions.start(person, token, ttl_s=ttl_s)


class DevIssuerClient:
    """Tokens from the development issuer's `POST /token` (what Okta does for a real portal)."""

    def __init__(self, issuer_url: str, *, transport: httpx.AsyncBaseTransport | None = None):
        self.issuer_url = issuer_url.rstrip("/")
        self._transport = transport

    async def token_for(self, person: DemoPerson, *, ttl_s: int) -> str:
        body = {
            "sub": person.sub,
            "operator_id": person.operator_id,
            "groups": list(person.groups),
            "name": person.name,
            "email": person.email,
            "ttl_s": ttl_s,
        }
        url = f"{self.issuer_url}/token"
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=10) as client:
                response = await client.post(url, json=body)
        except httpx.HTTPError as exc:
            raise IssuerUnavailableError(f"the development issuer at {url} did not answer") from exc
        if response.status_code != 200:
            raise IssuerUnavailableError(
                f"the development issuer at {url} refused: {response.status_code} {response.text}"
            )
        token = response.json().get("access_token")
        if not isinstance(token, str):
            raise IssuerUnavailableError(f"the development issuer at {url} sent no access_token")
        return token
