"""The officer screens of the portal UI kit in a real Chromium, against the real services.

The assessment app (serving the kit and the host page) and the release bridge (its operator
API, CORS open to the assessment's origin) run in-process on the test database; training and
certificates are seeded through the assessment harness and its fake clock, the bridge decides
from the events assessment staged (through its own consumer handlers) and delivers to the
reference portal. An operator admin sees which requirement blocks a release and who could meet
it, team progress with its jurisdiction filter, the certificates expiring soon and the release
status; keyboard only, axe-core, and no request beyond the two services.
"""

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from assessment_harness import ISSUER, Harness, wire_issuer
from assessment_testkit import (
    answers,
    jurisdiction_added,
    realistic_track,
    release_policy,
    unique_jurisdiction,
    unique_operator,
)
from playwright.async_api import Browser, Locator, Page, expect

from academy.local import portal as reference_portal
from academy_runtime.auth import JwksCache, TokenVerifier
from academy_runtime.settings import ServiceSettings
from academy_testkit.browser import (
    UI_DIR,
    host_page,
    offline_page,
    open_host,
    serious_axe_violations,
)
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app
from academy_testkit.server import ServerThread
from assessment.app import create as create_assessment
from assessment.settings import AssessmentSettings
from contracts import topics
from contracts.catalogue import ReleasePolicyPublished, TrackPublished
from release_bridge.adapters.unit_of_work import Units
from release_bridge.app import create as create_bridge
from release_bridge.settings import ReleaseBridgeSettings

pytestmark = pytest.mark.integration

HOST_PATH = "/portal/certification.html"
#: The reference portal's default secret (local and test mode), so it accepts the bridge's calls.
PORTAL_SECRET = "whsec_ZGV2LW9ubHktcG9ydGFsLXNlY3JldC0wMDAwMDAwMA=="
SCREENSHOTS = os.environ.get("ACADEMY_UI_SCREENSHOTS", "")


def _wire_bridge_issuer(app: Any, settings: ServiceSettings, issuer: DevIssuer) -> None:
    """The bridge verifies tokens against the dev issuer's JWKS, served in-process."""
    transport = httpx.ASGITransport(app=create_issuer_app(issuer))
    app.state.token_verifier = TokenVerifier(
        settings, jwks=JwksCache(f"{ISSUER}/jwks.json", ttl_s=600, transport=transport)
    )


@dataclass
class Pilot:
    """An operator going live in three jurisdictions with its staff part-way through."""

    operator: str
    ready: TrackPublished  # policy met: Ada's certificate, expiring soon
    blocked: TrackPublished  # needs two certified officers, has Ada only
    unpublished: TrackPublished  # no release policy yet
    policies: list[ReleasePolicyPublished]
    grace_lessons: int
    expiring_days_left: int


async def _pass(harness: Harness, track: TrackPublished, headers: dict[str, str]) -> None:
    await harness.complete_training(headers, track.track_key)
    attempt = (await harness.start(headers, track.track_key)).json()
    done = await harness.submit(headers, attempt["attempt_id"], answers(track, attempt["paper"]))
    assert done.status_code == 200, done.text


async def _seed_pilot(harness: Harness) -> Pilot:
    ready, blocked, unpublished = (
        realistic_track(jurisdiction=unique_jurisdiction()) for _ in range(3)
    )
    policies = [
        release_policy(ready.jurisdiction),
        release_policy(blocked.jurisdiction, requirements=[("compliance_officer", 2)]),
    ]
    await harness.publish(
        ready,
        blocked,
        unpublished,
        *(jurisdiction_added(t.jurisdiction) for t in (ready, blocked, unpublished)),
        *policies,
    )
    operator = unique_operator()
    await harness.go_live(
        operator, ready.jurisdiction, blocked.jurisdiction, unpublished.jurisdiction
    )
    ada = harness.auth(operator, sub="ada", name="Ada Lovelace")
    await _pass(harness, ready, ada)
    # Some 16 months later: Ada's first certificate (18 months) expires within 60 days.
    harness.clock.advance(days=500)
    await _pass(harness, blocked, ada)
    grace = harness.auth(operator, sub="grace", name="Grace Hopper")
    first_module = blocked.modules[0]
    done = await harness.client.put(
        f"/v1/me/tracks/{blocked.track_key}/modules/{first_module.id}/completion", headers=grace
    )
    assert done.status_code == 200, done.text
    linus = harness.auth(operator, sub="linus", name="Linus Torvalds")
    assert (await harness.client.get("/v1/me", headers=linus)).status_code == 200
    admin = harness.auth(operator, roles=["operator_admin"])
    expiring = await harness.client.get(
        f"/v1/operators/{operator}/certificates/expiring?within_days=60", headers=admin
    )
    [certificate] = expiring.json()["certificates"]
    expires_at = datetime.fromisoformat(certificate["expires_at"])
    return Pilot(
        operator=operator,
        ready=ready,
        blocked=blocked,
        unpublished=unpublished,
        policies=policies,
        grace_lessons=len(first_module.lessons),
        expiring_days_left=(expires_at.date() - harness.clock().date()).days,
    )


@asynccontextmanager
async def _served_portal(make_settings: Callable[..., Any]) -> AsyncIterator[str]:
    """The reference portal, receiving the bridge's signed webhooks."""
    settings = make_settings(reference_portal.PortalSettings)
    _, schema_runtime = reference_portal.create(settings)
    await reference_portal.create_schema(schema_runtime)
    await schema_runtime.engine.dispose()
    app, runtime = reference_portal.create(settings)
    with ServerThread(app, runtime, name="officer-portal") as url:
        yield url


async def _decide_and_deliver(
    harness: Harness, settings: ReleaseBridgeSettings, pilot: Pilot, issuer: DevIssuer
) -> None:
    """The bridge hears the pilot's events through its consumer handlers (Kafka has its own
    tests), delivers the release to the portal, then support force-releases the blocked one."""
    app, runtime = create_bridge(settings, clock=harness.clock)
    _wire_bridge_issuer(app, settings, issuer)
    units = Units(runtime)
    routes = {consumer.name: consumer.routes for consumer in runtime.consumers}
    try:
        for policy in pilot.policies:
            envelope = runtime.envelope(policy, tenant=topics.PLATFORM_TENANT)
            async with units() as uow:
                await routes["catalogue"].apply([envelope], uow)
        for envelope in await harness.events(pilot.operator):
            async with units() as uow:
                await routes["assessment"].apply([envelope], uow)
        delivered = await app.state.delivery_worker.run_once()
        assert delivered.sent == 1
        support = issuer.mint(
            sub="sam.support", operator_id="academy-vendor", groups=["academy_support"]
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bridge.test") as client:
            forced = await client.post(
                "/v1/support/releases",
                json={
                    "operator_id": pilot.operator,
                    "jurisdiction": pilot.blocked.jurisdiction,
                    "reason": "regulator agreed interim cover",
                },
                headers={"Authorization": f"Bearer {support}"},
            )
        assert forced.status_code == 201, forced.text
    finally:
        await app.state.portal_client.aclose()
        await runtime.engine.dispose()


async def _screenshot(element: Locator, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        await element.screenshot(path=str(Path(SCREENSHOTS) / name))


async def _tab_to(page: Page, target: Locator) -> None:
    await page.keyboard.press("Tab")
    await expect(target).to_be_focused()


async def test_operator_admin_sees_what_blocks_a_release_who_could_meet_it_and_the_releases(
    browser: Browser,
    harness: Harness,
    issuer: DevIssuer,
    make_settings: Callable[..., Any],
) -> None:
    assert (UI_DIR / "dist" / "academy-ui.js").is_file(), "build the kit first: `make ui`"
    pilot = await _seed_pilot(harness)
    token = harness.auth(pilot.operator, sub="olivia", roles=["operator_admin"], name="Olivia")[
        "Authorization"
    ].removeprefix("Bearer ")
    settings = make_settings(
        AssessmentSettings, oidc_issuer=ISSUER, ui_dist_dir=str(UI_DIR / "dist")
    )
    app, runtime = create_assessment(settings, clock=harness.clock)
    wire_issuer(app, settings, issuer)
    assessment = ServerThread(app, runtime, name="officer-assessment")
    assessment_url = f"http://127.0.0.1:{assessment.port}"

    async with _served_portal(make_settings) as portal_url:
        bridge_settings = make_settings(
            ReleaseBridgeSettings,
            oidc_issuer=ISSUER,
            portal_webhook_url=f"{portal_url}/webhooks/academy",
            portal_webhook_secret=PORTAL_SECRET,
            portal_endpoint_name=f"portal-{uuid.uuid4().hex[:8]}",
            cors_origins=[assessment_url],
        )
        await _decide_and_deliver(harness, bridge_settings, pilot, issuer)
        bridge_app, bridge_runtime = create_bridge(bridge_settings, clock=harness.clock)
        _wire_bridge_issuer(bridge_app, bridge_settings, issuer)
        with (
            assessment,
            ServerThread(bridge_app, bridge_runtime, name="officer-bridge") as bridge_url,
        ):
            overview = (
                "<h1>Certification</h1>"
                f'<academy-operator-overview release-api-base="{bridge_url}">'
                "</academy-operator-overview>"
            )
            async with offline_page(browser, assessment_url, bridge_url) as (page, log):
                await page.clock.set_fixed_time(harness.clock())
                await open_host(page, f"{assessment_url}{HOST_PATH}", host_page(overview, token))
                await _check_readiness(page, pilot)
                await _check_release_status(page, pilot)
                await _check_expiring(page, pilot)
                await _check_team_progress(page, pilot)
                assert await serious_axe_violations(page) == []
                await page.wait_for_load_state("networkidle")
    assert log.blocked == [], "the UI kit reached beyond the two services"
    assert log.page_errors == []
    assert log.console_errors == []


async def _check_readiness(page: Page, pilot: Pilot) -> None:
    readiness = page.locator("academy-readiness")
    blocked = readiness.get_by_role("article", name=f"Testland {pilot.blocked.jurisdiction}")
    await expect(blocked).to_contain_text(
        "Blocks the release: 1 more compliance officer with a valid "
        f"{pilot.blocked.jurisdiction} certificate (1 of 2 certified)"
    )
    lessons = sum(len(m.lessons) for m in pilot.blocked.modules)
    people = blocked.locator(".blocker").get_by_role("listitem")
    await expect(people.filter(has_text="Grace Hopper")).to_have_text(
        f"Grace Hopper: {pilot.grace_lessons} of {lessons} lessons, exam not yet passed"
    )
    await expect(people.filter(has_text="Linus Torvalds")).to_have_text(
        f"Linus Torvalds: not started ({lessons} lessons), exam not yet passed"
    )
    await expect(blocked).to_contain_text(
        f"Regulator: {pilot.blocked.jurisdiction} Gaming Authority"
    )
    # Closest to passing first; Ada's certificate counts, so she is a holder, not a candidate.
    await expect(people.first).to_contain_text("Grace Hopper")
    await expect(people).to_have_count(2)
    await expect(blocked.get_by_role("cell", name="Ada Lovelace")).to_contain_text("valid until")
    ready = readiness.get_by_role("article", name=f"Testland {pilot.ready.jurisdiction}")
    await expect(ready).to_contain_text("Ready: the release policy is met")
    await expect(ready).not_to_contain_text("Blocks the release")
    await expect(ready.get_by_role("cell", name="Ada Lovelace")).to_contain_text("expiring soon")
    await expect(blocked.get_by_role("cell", name="Ada Lovelace")).not_to_contain_text("expiring")
    unpublished = readiness.get_by_role(
        "article", name=f"Testland {pilot.unpublished.jurisdiction}"
    )
    await expect(unpublished).to_contain_text("no release policy")
    await _screenshot(readiness, "officer-readiness.png")


async def _check_release_status(page: Page, pilot: Pilot) -> None:
    status = page.locator("academy-release-status")
    released = status.get_by_role("row", name=pilot.ready.jurisdiction)
    await expect(released).to_contain_text("Released on")
    await expect(released).to_contain_text("Release policy met")
    await expect(released).to_contain_text("Delivered: the portal acknowledged it")
    forced = status.get_by_role("row", name=pilot.blocked.jurisdiction)
    await expect(forced).to_contain_text("Manual override")
    await expect(forced).to_contain_text("regulator agreed interim cover")
    await expect(forced).to_contain_text("sam.support")
    await expect(forced).to_contain_text("Waiting to be sent to the portal")
    await expect(status.get_by_role("row")).to_have_count(3)  # the header and two releases
    await _screenshot(status, "officer-release-status.png")


async def _check_expiring(page: Page, pilot: Pilot) -> None:
    expiring = page.locator("academy-expiring-certificates")
    await expect(expiring.get_by_role("heading")).to_have_text(
        "Certificates expiring in the next 60 days"
    )
    [row] = await expiring.get_by_role("row").filter(has_text="Ada Lovelace").all()
    await expect(row).to_contain_text(f"{pilot.ready.jurisdiction} compliance officer")
    await expect(row).to_contain_text(f"{pilot.expiring_days_left} days left")
    assert 0 < pilot.expiring_days_left <= 60
    await _screenshot(expiring, "officer-expiring.png")


async def _check_team_progress(page: Page, pilot: Pilot) -> None:
    team = page.locator("academy-team-progress")
    tables = team.get_by_role("table")
    await expect(tables).to_have_count(3)
    select = team.get_by_role("combobox", name="Jurisdiction")
    # Keyboard only: the filter is the first stop on the page; arrows choose a jurisdiction.
    await _tab_to(page, select)
    codes = sorted(t.jurisdiction for t in (pilot.ready, pilot.blocked, pilot.unpublished))
    await page.keyboard.press("ArrowDown")
    await expect(select).to_have_value(codes[0])
    await expect(tables).to_have_count(1)
    await expect(tables).to_contain_text(f"{codes[0]} compliance officer")
    await page.keyboard.press("ArrowDown")
    await expect(select).to_have_value(codes[1])
    await expect(tables).to_contain_text(f"{codes[1]} compliance officer")
    await page.keyboard.press("Home")
    await expect(select).to_have_value("")
    await expect(tables).to_have_count(3)
    blocked = team.get_by_role("table", name=f"{pilot.blocked.jurisdiction} compliance officer")
    await expect(blocked.get_by_role("row", name="Ada Lovelace")).to_contain_text("certified until")
    await expect(blocked.get_by_role("row", name="Grace Hopper")).to_contain_text(
        f"{pilot.grace_lessons} of"
    )
    await expect(
        blocked.get_by_role(
            "progressbar", name=f"Progress of Grace Hopper on {pilot.blocked.jurisdiction}"
        )
    ).to_be_visible()
    await _screenshot(team, "officer-team-progress.png")


async def test_each_officer_screen_alone_shows_its_empty_state_and_a_refusal_in_words(
    browser: Browser,
    harness: Harness,
    issuer: DevIssuer,
    make_settings: Callable[..., Any],
) -> None:
    operator = unique_operator()
    token = harness.auth(operator, sub="olivia", roles=["operator_admin"])[
        "Authorization"
    ].removeprefix("Bearer ")
    settings = make_settings(
        AssessmentSettings, oidc_issuer=ISSUER, ui_dist_dir=str(UI_DIR / "dist")
    )
    app, runtime = create_assessment(settings, clock=harness.clock)
    wire_issuer(app, settings, issuer)
    assessment = ServerThread(app, runtime, name="officer-assessment-empty")
    assessment_url = f"http://127.0.0.1:{assessment.port}"
    bridge_settings = make_settings(
        ReleaseBridgeSettings,
        oidc_issuer=ISSUER,
        portal_endpoint_name=f"portal-{uuid.uuid4().hex[:8]}",
        cors_origins=[assessment_url],
    )
    bridge_app, bridge_runtime = create_bridge(bridge_settings, clock=harness.clock)
    _wire_bridge_issuer(bridge_app, bridge_settings, issuer)
    with (
        assessment,
        ServerThread(bridge_app, bridge_runtime, name="officer-bridge-empty") as bridge_url,
    ):
        body = (
            "<h1>Certification</h1>"
            "<academy-readiness></academy-readiness>"
            f'<academy-release-status release-api-base="{bridge_url}"></academy-release-status>'
            '<academy-expiring-certificates days="30"></academy-expiring-certificates>'
            "<academy-team-progress></academy-team-progress>"
            f'<academy-release-status id="foreign" operator-id="{unique_operator()}" '
            f'release-api-base="{bridge_url}"></academy-release-status>'
        )
        async with offline_page(browser, assessment_url, bridge_url) as (page, log):
            await open_host(page, f"{assessment_url}{HOST_PATH}", host_page(body, token))
            await expect(
                page.get_by_text("Your operator has no go-live jurisdiction yet.")
            ).to_be_visible()
            await expect(page.get_by_text("No tooling released yet.")).to_be_visible()
            await expect(
                page.get_by_text("No certificate expires in the next 30 days.")
            ).to_be_visible()
            await expect(
                page.get_by_text("Nobody on your team has a training track yet.")
            ).to_be_visible()
            refusal = page.locator("#foreign").get_by_role("alert")
            await expect(refusal).to_contain_text("You do not have access to this.")
            await expect(refusal).to_contain_text(f"your sign-in belongs to operator {operator}")
            await _tab_to(page, refusal.get_by_role("button", name="Try again"))
            assert await serious_axe_violations(page) == []
            await page.wait_for_load_state("networkidle")
    assert log.blocked == []
    assert log.page_errors == []
    unexpected = [e for e in log.console_errors if "403" not in e]
    assert unexpected == [], "only the foreign operator's 403 may show in the console"
