"""The reference portal's sign-in, sessions, placed elements and tooling events, on fakes.

The HTTP tests drive the portal app in process with a fake token issuer; none of these routes
touches the database (the browser test covers those with real Postgres).
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from academy.local.portal import PortalSettings, create
from academy.local.portal_events import Fanout, ToolingChanged, tooling_stream
from academy.local.portal_pages import portal_page, sign_in_page, tooling_panel
from academy.local.portal_people import DemoPerson, demo_people, placed_elements
from academy.local.portal_sessions import (
    SESSION_COOKIE,
    DevIssuerClient,
    IssuerUnavailableError,
    SessionStore,
    UnknownPersonError,
    sign_in,
)
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app

PEOPLE = demo_people()
OFFICER, LEARNER, ADMIN, SUPPORT = PEOPLE


class FakeIssuer:
    """Mints a recognisable token per person, or fails like an issuer that is down."""

    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.asked: list[tuple[DemoPerson, int]] = []

    async def token_for(self, person: DemoPerson, *, ttl_s: int) -> str:
        self.asked.append((person, ttl_s))
        if self.down:
            raise IssuerUnavailableError("the development issuer at http://issuer.test/token …")
        return f"token-of-{person.sub}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


# -- who sees what -------------------------------------------------------------------------


def test_operator_staff_learn_and_hold_certificates() -> None:
    assert placed_elements(LEARNER) == ["academy-learning"]


def test_officers_and_admins_also_see_their_operators_overview() -> None:
    overview = ["academy-learning", "academy-operator-overview"]
    assert placed_elements(OFFICER) == overview
    assert placed_elements(ADMIN) == overview


def test_vendor_support_gets_the_support_console_only() -> None:
    assert SUPPORT.operator_id == "academy-vendor"
    assert placed_elements(SUPPORT) == ["academy-support-console"]


def test_support_groups_in_an_operators_token_give_no_console() -> None:
    impostor = DemoPerson("eve", "Eve", "demo-operator", ("academy_support",), "Impostor")
    assert placed_elements(impostor) == ["academy-learning"]


def test_the_demo_people_are_those_the_brief_names() -> None:
    assert (OFFICER.sub, OFFICER.operator_id) == ("alice.officer", "demo-operator")
    assert (SUPPORT.sub, SUPPORT.operator_id) == ("sam.support", "academy-vendor")
    assert "compliance_officer" in OFFICER.groups
    assert "operator_admin" in ADMIN.groups
    assert len({person.key for person in PEOPLE}) == len(PEOPLE)


# -- sessions ------------------------------------------------------------------------------


def test_a_session_lasts_its_ttl_and_no_longer() -> None:
    clock = FakeClock()
    sessions = SessionStore(now=clock)
    session = sessions.start(LEARNER, "t", ttl_s=60)

    clock.now += 59
    assert sessions.get(session.id) == session
    clock.now += 1
    assert sessions.get(session.id) is None
    assert len(sessions) == 0


def test_session_ids_are_random_and_ending_one_leaves_the_others() -> None:
    sessions = SessionStore()
    first, second = (sessions.start(LEARNER, "t", ttl_s=60) for _ in range(2))

    assert first.id != second.id
    assert len(first.id) >= 40
    assert sessions.end(first.id) is True
    assert sessions.end(first.id) is False
    assert sessions.get(first.id) is None
    assert sessions.get(second.id) == second
    assert sessions.get(None) is None
    assert sessions.get("") is None


def test_the_oldest_session_makes_room_at_the_limit() -> None:
    sessions = SessionStore(limit=2)
    oldest, middle, newest = (sessions.start(LEARNER, "t", ttl_s=60) for _ in range(3))

    assert sessions.get(oldest.id) is None
    assert [sessions.get(middle.id), sessions.get(newest.id)] == [middle, newest]


def test_a_session_does_not_show_its_token_or_id_in_its_repr() -> None:
    session = SessionStore().start(LEARNER, "secret-token", ttl_s=60)
    assert "secret-token" not in repr(session)
    assert session.id not in repr(session)


async def test_sign_in_keeps_the_issuers_token_for_the_session_ttl() -> None:
    issuer, sessions = FakeIssuer(), SessionStore()

    session = await sign_in(
        OFFICER.key, people=PEOPLE, issuer=issuer, sessions=sessions, ttl_s=3600
    )

    assert session.person == OFFICER
    assert session.token == "token-of-alice.officer"
    assert issuer.asked == [(OFFICER, 3600)]
    assert sessions.get(session.id) == session


async def test_sign_in_as_nobody_of_this_portal_is_refused_before_asking_the_issuer() -> None:
    issuer = FakeIssuer()
    with pytest.raises(UnknownPersonError, match="none of this portal's demo people"):
        await sign_in(
            "other-op/alice.officer",
            people=PEOPLE,
            issuer=issuer,
            sessions=SessionStore(),
            ttl_s=60,
        )
    assert issuer.asked == []


async def test_the_dev_issuer_client_gets_a_token_with_the_persons_claims() -> None:
    dev = DevIssuer("http://issuer.test")
    transport = httpx.ASGITransport(app=create_issuer_app(dev))
    client = DevIssuerClient("http://issuer.test/", transport=transport)

    token = await client.token_for(ADMIN, ttl_s=120)

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "olga.admin"
    assert claims["operator_id"] == "demo-operator"
    assert claims["groups"] == ["operator_admin"]
    assert claims["name"] == "Olga Admin"
    assert claims["exp"] - claims["iat"] == 120


async def test_an_unreachable_issuer_is_reported_with_its_url() -> None:
    client = DevIssuerClient("http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(IssuerUnavailableError, match=r"http://127\.0\.0\.1:9/token"):
        await client.token_for(LEARNER, ttl_s=60)


# -- the portal's HTTP surface for signing in and out --------------------------------------


@pytest.fixture
async def portal() -> AsyncIterator[tuple[httpx.AsyncClient, FakeIssuer]]:
    issuer = FakeIssuer()
    app, runtime = create(PortalSettings(environment="test", session_ttl_s=600), issuer=issuer)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        yield client, issuer
    await runtime.engine.dispose()


async def _sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    return await client.post("/sign-in", data={"person": key})


async def test_signing_in_sets_an_http_only_strict_cookie_and_goes_to_the_portal(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
) -> None:
    client, _ = portal

    response = await _sign_in(client, LEARNER.key)

    assert response.status_code == 303
    assert response.headers["location"] == "/portal"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/", "max-age=600"} <= attributes
    assert "secure" not in attributes  # plain http on the loopback
    token = await client.get("/session/token")
    assert token.status_code == 200
    assert token.json()["access_token"] == "token-of-kai.analyst"
    assert 0 < token.json()["expires_in"] <= 600
    assert token.headers["cache-control"] == "no-store"


async def test_signing_out_ends_the_session_so_the_token_endpoint_answers_401(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
) -> None:
    client, _ = portal
    await _sign_in(client, OFFICER.key)
    session_id = client.cookies[SESSION_COOKIE]

    out = await client.post("/sign-out")

    assert out.status_code == 303
    assert out.headers["location"] == "/"
    assert SESSION_COOKIE not in client.cookies
    client.cookies.set(SESSION_COOKIE, session_id)  # a copy of the old cookie is worth nothing
    for path in ("/session/token", "/events", "/portal/tooling"):
        refused = await client.get(path)
        assert refused.status_code == 401, path
    assert (await client.get("/portal")).headers["location"] == "/"


async def test_signing_in_again_ends_the_previous_session(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
) -> None:
    client, _ = portal
    await _sign_in(client, OFFICER.key)
    first = client.cookies[SESSION_COOKIE]
    await _sign_in(client, SUPPORT.key)
    second = client.cookies[SESSION_COOKIE]

    assert first != second
    assert (await client.get("/session/token")).json()["access_token"] == "token-of-sam.support"
    client.cookies.set(SESSION_COOKIE, first)
    assert (await client.get("/session/token")).status_code == 401


@pytest.mark.parametrize(
    ("form", "status", "problem"),
    [
        ({"person": "demo-operator/mallory"}, 422, "person: &#x27;demo-operator/mallory&#x27; is"),
        ({}, 422, "person: choose who to sign in as"),
        ({"person": ""}, 422, "person: choose who to sign in as"),
    ],
)
async def test_a_bad_sign_in_form_is_refused_naming_the_field(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
    form: dict[str, str],
    status: int,
    problem: str,
) -> None:
    client, issuer = portal

    response = await client.post("/sign-in", data=form)

    assert response.status_code == status
    assert problem in response.text
    assert 'role="alert"' in response.text
    assert SESSION_COOKIE not in client.cookies
    assert issuer.asked == []


async def test_a_sign_in_that_is_not_a_form_is_refused(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
) -> None:
    client, _ = portal
    response = await client.post("/sign-in", json={"person": LEARNER.key})
    assert response.status_code == 415
    assert "application/x-www-form-urlencoded" in response.text


async def test_an_issuer_that_is_down_is_a_502_in_words_not_a_crash(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
) -> None:
    client, issuer = portal
    issuer.down = True

    response = await _sign_in(client, LEARNER.key)

    assert response.status_code == 502
    assert "Signing in failed: the development issuer" in response.text
    assert SESSION_COOKIE not in client.cookies


async def test_the_portal_page_without_a_session_goes_to_sign_in(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
) -> None:
    client, _ = portal
    response = await client.get("/portal")
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_the_sign_in_page_labels_every_person(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
) -> None:
    client, _ = portal
    page = (await client.get("/")).text
    for number, person in enumerate(PEOPLE):
        assert f'<label for="person-{number}">{person.name}</label>' in page
        assert f'value="{person.key}"' in page
    assert "<legend>demo-operator</legend>" in page
    assert "<legend>academy-vendor</legend>" in page


async def test_the_page_script_and_style_are_served_by_the_portal(
    portal: tuple[httpx.AsyncClient, FakeIssuer],
) -> None:
    client, _ = portal
    for path in ("/static/portal.js", "/static/portal.css"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "://" not in response.text, f"{path} names another site"


# -- pages ---------------------------------------------------------------------------------


def test_the_portal_page_places_each_element_with_both_apis_escaped() -> None:
    page = portal_page(
        OFFICER,
        elements=placed_elements(OFFICER),
        assessment_url='http://a.test"><script>',
        release_bridge_url="http://r.test",
        tooling="",
    )

    assert "<script>" not in page.replace('<script type="module" src="/static/portal.js">', "")
    assert (
        '<academy-operator-overview api-base="http://a.test&quot;&gt;&lt;script&gt;" '
        'release-api-base="http://r.test">'
    ) in page
    assert page.count("release-api-base=") == len(placed_elements(OFFICER)) == 2
    assert 'role="tablist"' in page
    assert 'aria-controls="panel-certification"' in page


def test_the_tooling_panel_names_the_operator_when_nothing_is_unlocked() -> None:
    panel = tooling_panel([], operator_id="demo-operator")
    assert "No licensing tooling is unlocked for demo-operator yet" in panel


def test_the_tooling_panel_lists_tooling_escaped_and_operators_for_support() -> None:
    row: dict[str, Any] = {
        "operator_id": "op-1",
        "jurisdiction": "MGA",
        "tooling": ["mga-licensing-suite", "<b>x</b>"],
        "state": "unlocked",
        "reason": "manual_override",
        "unlocked_at": "2026-11-24T10:15:00+00:00",
    }
    own = tooling_panel([row], operator_id="op-1")
    every = tooling_panel([row], operator_id=None)

    assert "<td>mga-licensing-suite, &lt;b&gt;x&lt;/b&gt;</td>" in own
    assert "24 November 2026, 10:15 UTC" in own
    assert "support override" in own
    assert ">operator</th>" not in own
    assert ">operator</th>" in every
    assert "<td>op-1</td>" in every


def test_the_sign_in_page_shows_who_is_signed_in_and_a_problem_as_an_alert() -> None:
    page = sign_in_page(PEOPLE, current=LEARNER, error="person: <nobody>")
    assert "You are signed in as Kai Analyst" in page
    assert '<p class="problem" role="alert" id="sign-in-problem">person: &lt;nobody&gt;</p>' in page
    assert f'value="{LEARNER.key}" checked' in page


# -- tooling events ------------------------------------------------------------------------


async def test_a_change_reaches_the_operators_streams_and_supports_but_no_one_else() -> None:
    fanout = Fanout()
    change = ToolingChanged("op-1", "MGA", "unlocked")
    with (
        fanout.subscribe("op-1") as own,
        fanout.subscribe("op-2") as other,
        fanout.subscribe(None) as every,
    ):
        assert fanout.publish(change) == 2
        assert own.get_nowait() == change
        assert every.get_nowait() == change
        assert other.empty()
    assert len(fanout) == 0


async def test_a_full_stream_drops_its_oldest_change_and_publishing_never_blocks() -> None:
    fanout = Fanout(queue_size=2)
    with fanout.subscribe("op-1") as queue:
        for jurisdiction in ("GCB", "GSC", "MGA"):
            fanout.publish(ToolingChanged("op-1", jurisdiction, "unlocked"))
        assert [queue.get_nowait().jurisdiction for _ in range(2)] == ["GSC", "MGA"]


async def test_a_stream_subscribes_before_ready_then_sends_changes_and_ends() -> None:
    fanout = Fanout()
    stream = tooling_stream(fanout, "op-1", lifetime_s=0.5, heartbeat_s=0.1, retry_ms=250)

    first = await anext(stream)
    assert first == 'retry: 250\nevent: ready\ndata: {"operator_id":"op-1"}\n\n'
    assert len(fanout) == 1  # subscribed by the time the page hears `ready`
    fanout.publish(ToolingChanged("op-1", "MGA", "unlocked"))
    assert await anext(stream) == (
        'event: tooling\ndata: {"operator_id":"op-1","jurisdiction":"MGA","state":"unlocked"}\n\n'
    )
    rest = [chunk async for chunk in stream]  # heartbeats until the lifetime ends

    assert rest
    assert set(rest) == {": keep-alive\n\n"}
    assert len(fanout) == 0


async def test_a_stream_closed_by_the_client_unsubscribes() -> None:
    fanout = Fanout()
    stream = tooling_stream(fanout, None, lifetime_s=30)
    await anext(stream)
    assert len(fanout) == 1

    await stream.aclose()

    assert len(fanout) == 0
