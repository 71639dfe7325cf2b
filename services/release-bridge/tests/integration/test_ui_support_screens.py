"""The support screens of the portal UI kit in a real Chromium against the real release bridge.

A portal page on its own origin (the scriptable portal's) loads the kit from the assessment app
(`/ui/`, cross-origin) and calls the bridge's support API cross-origin, as the partner portal
does; both apps run in-process on the test database with CORS for the portal's origin.
Seeding and delivery rounds go through a second bridge on the same endpoint in the test's loop.
"""

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Request, expect

from academy_testkit.browser import (
    UI_DIR,
    PageLog,
    host_page,
    offline_page,
    open_host,
    serious_axe_violations,
)
from academy_testkit.issuer import DevIssuer
from academy_testkit.server import ServerThread
from assessment.app import create as create_assessment
from assessment.settings import AssessmentSettings
from conftest import ISSUER, Bridge, BridgeFactory, ScriptablePortal, bearer, drain, enqueue
from contracts.assessment import OperatorJurisdictionsSet
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ReleasePolicy, RoleRequirement
from release_bridge.adapters.unit_of_work import Units
from release_bridge.service import operators, releases

pytestmark = pytest.mark.integration

HOST_PATH = "/portal/support.html"
SHOTS = os.environ.get("ACADEMY_UI_SCREENSHOTS")


@dataclass
class Served:
    """The bridge and the kit on loopback ports, the portal's origin, a support token."""

    seed: Bridge
    bridge_url: str
    kit_url: str
    portal_origin: str
    token: str

    def offline(self, browser: Browser) -> AbstractAsyncContextManager[tuple[Page, PageLog]]:
        """A page reaching only the portal's origin, the bridge and the kit."""
        return offline_page(browser, self.portal_origin, self.bridge_url, self.kit_url)

    def element(self, name: str) -> str:
        """`<academy-…>` on the bridge's API (the kit's origin for assessment calls)."""
        bases = f'api-base="{self.kit_url}" release-api-base="{self.bridge_url}"'
        return f"<h1>Support</h1><{name} {bases}></{name}>"

    def page_html(self, body: str) -> str:
        return host_page(body, self.token, kit_base=self.kit_url, title="Support")

    async def open(self, page: Page, body: str) -> None:
        await open_host(page, f"{self.portal_origin}{HOST_PATH}", self.page_html(body))


@pytest.fixture
async def served(
    make_bridge: BridgeFactory,
    make_settings: Callable[..., Any],
    portal: ScriptablePortal,
    issuer: DevIssuer,
) -> AsyncIterator[Served]:
    assert (UI_DIR / "dist" / "academy-ui.js").is_file(), "build the kit first: `make ui`"
    parts = urlsplit(portal.url)
    origin = f"{parts.scheme}://{parts.netloc}"
    seed = make_bridge()
    bridge = make_bridge(cors_origins=[origin])
    settings = make_settings(
        AssessmentSettings,
        oidc_issuer=ISSUER,
        ui_dist_dir=str(UI_DIR / "dist"),
        cors_origins=[origin],
    )
    kit, kit_runtime = create_assessment(settings)
    token = issuer.mint(sub="sam.support", operator_id="academy-vendor", groups=["academy_support"])
    with (
        ServerThread(bridge.app, bridge.runtime, name="ui-support-bridge") as bridge_url,
        ServerThread(kit, kit_runtime, name="ui-support-kit") as kit_url,
    ):
        yield Served(seed, bridge_url, kit_url, origin, token)


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


async def _live(bridge: Bridge, operator: str, jurisdiction: str) -> None:
    """The catalogue publishes the jurisdiction's policy; assessment sets the operator live."""
    now = datetime.now(UTC)
    policy = ReleasePolicyPublished(
        policy=ReleasePolicy(
            jurisdiction=jurisdiction,
            requirements=[RoleRequirement(role="compliance_officer")],
            tooling=[f"{jurisdiction.lower()}-suite"],
        ),
        version="v1",
        catalogue_version="c1",
        published_at=now,
    )
    async with Units(bridge.runtime)() as unit:
        ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=now)
        await releases.release_policy_published(unit, ctx, policy, event_time=now)
    live = OperatorJurisdictionsSet(
        operator_id=operator, jurisdictions=[jurisdiction], actor="ada.admin", set_at=now
    )
    async with Units(bridge.runtime)() as unit:
        await operators.jurisdictions_set(unit, live)


def _record_posts(page: Page) -> list[str]:
    """The URL of every POST the page sends (a cancelled confirmation sends none)."""
    posts: list[str] = []

    def on_request(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", on_request)
    return posts


async def _screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Into ACADEMY_UI_SCREENSHOTS when set (the README's pictures come from there)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / name), full_page=full_page)


def _assert_clean(log: PageLog, *expected_statuses: int) -> None:
    assert log.blocked == [], "the UI kit reached beyond the portal, the bridge and the kit"
    assert log.page_errors == []
    allowed = [str(status) for status in expected_statuses]
    unexpected = [e for e in log.console_errors if not any(s in e for s in allowed)]
    assert unexpected == [], "only the refusals the test provokes may show in the console"


async def test_support_force_releases_through_the_confirmation_and_sees_the_delivery(
    browser: Browser, served: Served, portal: ScriptablePortal
) -> None:
    jurisdiction = _unique("F")
    operator = f"{jurisdiction.lower()}-casino"
    typo = operator.replace("casino", "casno")
    await _live(served.seed, operator, jurisdiction)
    console = served.element("academy-support-console")

    async with served.offline(browser) as (page, log):
        posts = _record_posts(page)
        await served.open(page, console)
        await expect(page.get_by_text("No deliveries yet.")).to_be_visible()
        form = page.locator("academy-force-release")
        operator_field = form.get_by_label("Operator id")
        jurisdiction_field = form.get_by_label("Jurisdiction")
        reason_field = form.get_by_label("Reason (recorded in the audit log with your name)")
        submit = form.get_by_role("button", name="Force-release…")

        await operator_field.focus()
        await page.keyboard.type(typo)
        await page.keyboard.press("Tab")
        await expect(jurisdiction_field).to_be_focused()
        await page.keyboard.type(jurisdiction)
        await page.keyboard.press("Tab")
        await expect(reason_field).to_be_focused()
        await page.keyboard.type("go-live call with the regulator, ticket 42")
        await page.keyboard.press("Tab")
        await expect(submit).to_be_focused()

        await page.keyboard.press("Enter")
        dialog = form.get_by_role("dialog")
        await expect(dialog).to_contain_text(
            f"Tooling will be unlocked for {typo} in {jurisdiction} now"
        )
        await expect(dialog.get_by_role("button", name="Unlock tooling")).to_be_focused()
        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
        await expect(submit).to_be_focused()
        assert posts == [], "cancelling the confirmation sent something"

        await page.keyboard.press("Enter")
        await expect(dialog.get_by_role("button", name="Unlock tooling")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(form.get_by_role("alert")).to_contain_text("Nothing was changed.")
        await expect(form.get_by_text(f"did you mean '{operator}'?")).to_be_visible()
        await expect(operator_field).to_be_focused()
        await expect(operator_field).to_have_attribute("aria-invalid", "true")
        assert posts == [f"{served.bridge_url}/v1/support/releases"]

        await page.keyboard.press("Tab")
        await expect(form.get_by_role("button", name=f"Use {operator}")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(operator_field).to_have_value(operator)
        await expect(operator_field).to_be_focused()
        await expect(operator_field).to_have_attribute("aria-invalid", "false")
        await page.keyboard.press("Enter")
        await expect(dialog).to_contain_text(
            f"Tooling will be unlocked for {operator} in {jurisdiction} now"
        )
        await _screenshot(page, "support-force-release.png", full_page=False)
        assert await serious_axe_violations(page) == []
        await page.keyboard.press("Enter")

        result = form.locator(".result")
        await expect(result).to_contain_text("Tooling is unlocked.")
        await expect(result).to_contain_text("Pending")
        release_id = (await result.locator("dd").first.inner_text()).strip()
        await drain(served.seed)
        assert release_id in portal.ids(), "the forced release did not reach the portal"
        await result.get_by_role("button", name="Check the delivery again").click()
        await expect(result).to_contain_text("Delivered")
        await expect(result).to_contain_text("The portal acknowledged it on")

        await result.get_by_role("button", name="Show in deliveries").click()
        deliveries = page.locator("academy-deliveries")
        toggle = deliveries.get_by_role("button", name=release_id, exact=True)
        await expect(toggle).to_be_focused()
        await expect(toggle).to_have_attribute("aria-expanded", "true")
        attempts = deliveries.get_by_role("table", name=f"Attempts of {release_id}")
        await expect(attempts).to_contain_text("HTTP 204")
        await expect(attempts).to_contain_text("Delivered")
        assert await serious_axe_violations(page) == []
        await page.wait_for_load_state("networkidle")
    _assert_clean(log, 404)


async def test_support_redelivers_a_parked_delivery_by_keyboard_and_sees_it_delivered(
    browser: Browser, served: Served, portal: ScriptablePortal
) -> None:
    [webhook_id] = await enqueue(served.seed, 1)
    operator = f"op-{webhook_id}"
    portal.statuses[:] = [410]
    await drain(served.seed)
    body = served.element("academy-deliveries")

    async with served.offline(browser) as (page, log):
        posts = _record_posts(page)
        await served.open(page, body)
        screen = page.locator("academy-deliveries")
        toggle = screen.get_by_role("button", name=webhook_id, exact=True)
        await expect(toggle).to_be_visible()

        await page.keyboard.press("Tab")
        await expect(screen.get_by_label("Operator id")).to_be_focused()
        await page.keyboard.type("op-nobody")
        await page.keyboard.press("Tab")
        await expect(screen.get_by_label("Status")).to_be_focused()
        await page.keyboard.press("Tab")
        await expect(screen.get_by_role("button", name="Show deliveries")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(screen.get_by_text("No deliveries match these filters.")).to_be_visible()

        await screen.get_by_label("Operator id").fill(operator)
        await screen.get_by_label("Status").select_option("parked")
        await screen.get_by_role("button", name="Show deliveries").focus()
        await page.keyboard.press("Enter")
        row = screen.get_by_role("row").filter(
            has=page.get_by_role("button", name=webhook_id, exact=True)
        )
        await expect(row).to_contain_text(
            "Parked: the portal said this endpoint is gone (HTTP 410)"
        )
        await page.keyboard.press("Tab")
        await expect(screen.get_by_role("button", name="Refresh")).to_be_focused()
        await page.keyboard.press("Tab")
        await expect(toggle).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(toggle).to_have_attribute("aria-expanded", "true")
        attempts = screen.get_by_role("table", name=f"Attempts of {webhook_id}")
        await expect(attempts).to_contain_text("HTTP 410")
        await expect(attempts).to_contain_text("Parked")

        redeliver = row.get_by_role("button", name=f"Redeliver {webhook_id}")
        await page.keyboard.press("Tab")
        await expect(redeliver).to_be_focused()
        await page.keyboard.press("Enter")
        dialog = screen.get_by_role("dialog")
        reason = dialog.get_by_label("Reason (recorded in the audit log with your name)")
        await expect(reason).to_be_focused()
        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
        await expect(redeliver).to_be_focused()
        assert posts == [], "cancelling the confirmation sent something"

        await page.keyboard.press("Enter")
        await expect(reason).to_be_focused()
        await page.keyboard.press("Tab")
        await page.keyboard.press("Tab")
        await expect(dialog.get_by_role("button", name="Redeliver now")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(dialog.get_by_text("Give a reason")).to_be_visible()
        await expect(reason).to_be_focused()
        assert posts == []
        await page.keyboard.type("portal endpoint restored, ticket 42")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        notice = screen.get_by_role("status").filter(has_text="was queued again by")
        await expect(notice).to_contain_text(f"{webhook_id} was queued again by sam.support")
        await expect(notice).to_contain_text("it is Pending now")
        redelivered = screen.locator(".standalone")
        await expect(redelivered).to_contain_text("Pending")
        await expect(redelivered).to_contain_text("1 attempt(s) failed; the next attempt is due")
        assert posts == [f"{served.bridge_url}/v1/support/deliveries/{webhook_id}/redeliver"]

        await drain(served.seed)
        await screen.get_by_role("button", name="Refresh").click()
        await expect(screen.get_by_text("No deliveries match these filters.")).to_be_visible()
        await screen.get_by_label("Status").select_option("")
        await screen.get_by_role("button", name="Show deliveries").click()
        await expect(row).to_contain_text("Delivered")
        await expect(attempts.get_by_role("row")).to_have_count(3)
        await expect(attempts).to_contain_text("HTTP 204")
        await expect(redeliver).to_have_count(0)
        await _screenshot(page, "support-deliveries.png")
        assert await serious_axe_violations(page) == []
        await page.wait_for_load_state("networkidle")
    assert portal.ids() == [webhook_id, webhook_id]
    _assert_clean(log)


async def test_support_resets_a_forced_open_breaker_behind_a_confirmation(
    browser: Browser, served: Served, issuer: DevIssuer
) -> None:
    endpoint = served.seed.endpoint
    headers = bearer(issuer, "academy_support")
    async with served.seed.client() as client:
        opened = await client.post(
            f"/v1/support/breakers/{endpoint}/force-open",
            json={"reason": "portal maintenance"},
            headers=headers,
        )
    assert opened.status_code == 200, opened.text
    body = served.element("academy-breakers")

    async with served.offline(browser) as (page, log):
        posts = _record_posts(page)
        await served.open(page, body)
        screen = page.locator("academy-breakers")
        mine = screen.get_by_role("listitem", name=endpoint)
        await expect(mine).to_contain_text("Open")
        await expect(mine).to_contain_text("Forced open by support")
        reset = mine.get_by_role("button", name="Reset")
        await reset.focus()
        await page.keyboard.press("Enter")
        dialog = screen.get_by_role("dialog")
        await expect(dialog).to_contain_text(f"Reset the breaker of {endpoint}?")
        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
        await expect(reset).to_be_focused()
        assert posts == []

        await page.keyboard.press("Enter")
        await page.keyboard.type("maintenance over, ticket 42")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Tab")
        await expect(dialog.get_by_role("button", name="Reset")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(screen.get_by_role("status").filter(has_text="was reset")).to_contain_text(
            f"The breaker of {endpoint} was reset from Open to Closed"
        )
        await expect(mine).to_contain_text("Closed")
        await expect(mine).to_contain_text("none failed in the recent window")
        await _screenshot(page, "support-breakers.png")
        assert await serious_axe_violations(page) == []
        await page.wait_for_load_state("networkidle")
    assert posts == [f"{served.bridge_url}/v1/support/breakers/{endpoint}/reset"]
    async with served.seed.client() as client:
        states = (await client.get("/v1/support/breakers", headers=headers)).json()
    [state] = [s for s in states if s["endpoint"] == endpoint]
    assert (state["status"], state["pinned"]) == ("closed", False)
    _assert_clean(log)
