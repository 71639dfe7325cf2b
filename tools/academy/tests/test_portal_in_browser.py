"""The reference portal in Debian's Chromium: sign in as a demo learner, the Certification tab
shows the learner's tracks from the assessment service on another origin (CORS), tabs work
from the keyboard, a signed release webhook unlocks tooling on the open page without a reload
(Server-Sent Events), and signing out ends the session.

Real components on 127.0.0.1: the development issuer (tokens and JWKS over HTTP), the
assessment app with its UI kit, the portal app, one Postgres. The page may reach only the
portal's and the assessment's origins.
"""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook

from academy.local.portal import PortalSettings, create_schema
from academy.local.portal import create as create_portal
from academy.local.portal_people import demo_people
from academy.local.portal_sessions import SESSION_COOKIE
from academy_testkit.browser import UI_DIR, offline_page, serious_axe_violations
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app
from academy_testkit.server import ServerThread
from assessment.adapters.unit_of_work import assessment_units
from assessment.app import create as create_assessment
from assessment.service.catalogue import track_published
from assessment.settings import AssessmentSettings
from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain import publication_events, resolve
from contracts import topics
from contracts.catalogue import TrackPublished
from contracts.webhooks import ToolingReleased, ToolingReleasedData

pytestmark = pytest.mark.integration

SECRET = "whsec_" + "cG9ydGFsLWJyb3dzZXItdGVzdC1zZWNyZXQtMDAwMA=="


@pytest.fixture
def issuer() -> Iterator[tuple[DevIssuer, str]]:
    """The development issuer served over HTTP (its URL is its `iss`, known once it listens)."""
    dev = DevIssuer("http://127.0.0.1")
    server = ServerThread(create_issuer_app(dev), name="portal-test-issuer")
    dev.issuer = f"http://127.0.0.1:{server.port}"
    with server as url:
        yield dev, url


def _learners_track(jurisdiction: str) -> TrackPublished:
    """The bundled catalogue's KYC-analyst track, moved to a jurisdiction no other test uses."""
    events = publication_events(resolve(BUNDLED_CONTENT_DIR), published_at=datetime.now(UTC))
    track = next(
        e for e in events if isinstance(e, TrackPublished) and e.track_key == "MGA.kyc_analyst"
    )
    return track.model_copy(
        update={
            "jurisdiction": jurisdiction,
            "track_key": f"{jurisdiction}.kyc_analyst",
            "title": f"Testland {jurisdiction}: KYC analyst",
        }
    )


async def _publish(settings: AssessmentSettings, track: TrackPublished) -> None:
    """Feed the track to assessment as its catalogue consumer would (Kafka has its own tests)."""
    _app, runtime = create_assessment(settings)
    envelope = runtime.envelope(track, tenant=topics.PLATFORM_TENANT)
    async with assessment_units(runtime)() as uow:
        await track_published(envelope, uow=uow)
    await runtime.engine.dispose()


def _released(operator: str, jurisdiction: str, tooling: str) -> tuple[bytes, dict[str, str]]:
    message = ToolingReleased(
        timestamp=datetime.now(UTC),
        data=ToolingReleasedData(
            release_id=str(uuid.uuid4()),
            operator_id=operator,
            jurisdiction=jurisdiction,
            tooling=[tooling],
            reason="certification",
            evidence=[],
        ),
    )
    body = message.model_dump_json()
    webhook_id, now = message.data.release_id, datetime.now(UTC)
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(webhook_id, now, body),
        "content-type": "application/json",
    }
    return body.encode(), headers


async def _screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("ACADEMY_UI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(folder) / name), full_page=True)


async def test_a_learner_signs_in_learns_cross_origin_and_sees_tooling_unlock_live(
    browser: Browser, database_url: str, issuer: tuple[DevIssuer, str]
) -> None:
    assert (UI_DIR / "dist" / "academy-ui.js").is_file(), "build the kit first: `make ui`"
    dev, issuer_url = issuer
    operator = f"op-{uuid.uuid4().hex[:8]}"
    jurisdiction = f"T{uuid.uuid4().hex[:6].upper()}"
    tooling = f"{jurisdiction.lower()}-licensing-suite"
    track = _learners_track(jurisdiction)
    people = demo_people(operator=operator)
    learner = next(person for person in people if person.sub == "kai.analyst")

    portal_settings = PortalSettings(
        environment="test",
        database_url=SecretStr(database_url),
        oidc_issuer=issuer_url,
        webhook_secrets=[SecretStr(SECRET)],
    )
    _, schema_runtime = create_portal(portal_settings)
    await create_schema(schema_runtime)
    await schema_runtime.engine.dispose()
    portal_app, portal_runtime = create_portal(portal_settings, people=people)

    with ServerThread(portal_app, portal_runtime, name="portal") as portal_url:
        assessment_settings = AssessmentSettings(
            environment="test",
            database_url=SecretStr(database_url),
            oidc_issuer=issuer_url,
            ui_dist_dir=str(UI_DIR / "dist"),
            cors_origins=[portal_url],
        )
        await _publish(assessment_settings, track)
        assessment_app, assessment_runtime = create_assessment(assessment_settings)
        with ServerThread(assessment_app, assessment_runtime, name="assessment") as academy_url:
            # The portal's page names the assessment service, which listens only now.
            portal_settings.assessment_url = academy_url
            admin = dev.mint(
                sub="academy.admin", operator_id="academy-vendor", groups=["academy_admin"]
            )
            async with httpx.AsyncClient(base_url=academy_url, timeout=10) as client:
                live = await client.put(
                    f"/v1/admin/operators/{operator}/jurisdictions",
                    json={
                        "jurisdictions": [jurisdiction],
                        "reason": "portal browser test",
                        "new_operator": True,
                    },
                    headers={"Authorization": f"Bearer {admin}"},
                )
                assert live.status_code == 200, live.text

            async with offline_page(browser, portal_url, academy_url) as (page, log):
                await _sign_in_with_the_keyboard(page, portal_url, learner.name)
                await _certification_tab_from_the_keyboard(page, track.title)
                await _tooling_unlocks_without_a_reload(
                    page, portal_url, operator, jurisdiction, tooling
                )
                await _sign_out_ends_the_session(page, portal_url)
                await page.wait_for_load_state("networkidle")
    assert log.blocked == [], "the portal page reached beyond the portal and the academy"
    assert log.page_errors == []
    assert log.console_errors == []


async def _sign_in_with_the_keyboard(page: Page, portal_url: str, name: str) -> None:
    await page.goto(f"{portal_url}/")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    first = page.get_by_role("radio").first
    learner = page.get_by_role("radio", name=name)
    await page.keyboard.press("Tab")
    await expect(first).to_be_focused()
    await page.keyboard.press("ArrowDown")
    await expect(learner).to_be_focused()
    await expect(learner).to_be_checked()
    assert await serious_axe_violations(page) == []
    await _screenshot(page, "portal-sign-in.png")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{portal_url}/portal")
    await expect(page.get_by_role("banner")).to_contain_text(name)


async def _certification_tab_from_the_keyboard(page: Page, track_title: str) -> None:
    tooling_tab = page.get_by_role("tab", name="Licensing tooling")
    certification_tab = page.get_by_role("tab", name="Certification")
    await expect(tooling_tab).to_have_attribute("aria-selected", "true")
    await expect(page.get_by_role("tabpanel", name="Licensing tooling")).to_contain_text(
        "No licensing tooling is unlocked"
    )
    await page.keyboard.press("Tab")  # Sign out
    await page.keyboard.press("Tab")
    await expect(tooling_tab).to_be_focused()
    await page.keyboard.press("ArrowRight")
    await expect(certification_tab).to_be_focused()
    await expect(certification_tab).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel", name="Certification")
    await expect(panel).to_be_visible()
    await expect(page.get_by_role("tabpanel", name="Licensing tooling")).to_be_hidden()
    # Loaded from the assessment service's origin with a token from the portal's session.
    await expect(panel.get_by_text(track_title)).to_be_visible(timeout=15_000)
    await expect(page.locator("#kit-status")).to_have_text("")
    assert await serious_axe_violations(page) == []
    await _screenshot(page, "portal-certification-tab.png")
    await page.keyboard.press("ArrowLeft")
    await expect(tooling_tab).to_be_focused()
    await expect(tooling_tab).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("End")
    await expect(certification_tab).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("Home")
    await expect(page.get_by_role("tabpanel", name="Licensing tooling")).to_be_visible()


async def _tooling_unlocks_without_a_reload(
    page: Page, portal_url: str, operator: str, jurisdiction: str, tooling: str
) -> None:
    panel = page.get_by_role("tabpanel", name="Licensing tooling")
    await expect(page.locator("#tooling")).to_have_attribute("data-live", "connected")
    await page.evaluate("() => { window.portalTestMarker = 'same document' }")
    body, headers = _released(operator, jurisdiction, tooling)

    async with httpx.AsyncClient(base_url=portal_url, timeout=10) as client:
        delivered = await client.post("/webhooks/academy", content=body, headers=headers)
    assert delivered.status_code == 204, delivered.text

    row = panel.get_by_role("row").filter(has_text=jurisdiction)
    await expect(row).to_contain_text(tooling)
    await expect(row).to_contain_text("unlocked")
    await expect(page.locator("#tooling-news")).to_have_text(
        f"Licensing tooling updated: {jurisdiction} unlocked."
    )
    assert await page.evaluate("() => window.portalTestMarker") == "same document"
    assert await serious_axe_violations(page) == []
    await _screenshot(page, "portal-tooling.png")


async def _sign_out_ends_the_session(page: Page, portal_url: str) -> None:
    [cookie] = [c for c in await page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    token = await page.request.get(f"{portal_url}/session/token")
    assert token.status == 200

    await page.get_by_role("button", name="Sign out").click()

    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    after = await page.request.get(f"{portal_url}/session/token")
    assert after.status == 401
    async with httpx.AsyncClient(base_url=portal_url, timeout=10) as client:
        replayed = await client.get(
            "/session/token", headers={"Cookie": f"{SESSION_COOKIE}={cookie['value']}"}
        )
    assert replayed.status_code == 401, "the old session id must be dead on the server"
