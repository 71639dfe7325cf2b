"""The portal UI kit's <academy-my-tracks> in a real Chromium, served by the assessment app.

A host page on the app's origin loads `/ui/academy-ui.js` and hands the element a token
callback, as the partner portal does; tracks are seeded through the in-process harness.
"""

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from assessment_harness import ISSUER, Harness, wire_issuer
from assessment_testkit import FakeClock, realistic_track, unique_jurisdiction, unique_operator
from playwright.async_api import Browser, expect

from academy_testkit.browser import (
    UI_DIR,
    host_page,
    offline_page,
    open_host,
    serious_axe_violations,
)
from academy_testkit.issuer import DevIssuer
from academy_testkit.server import ServerThread
from assessment.app import create
from assessment.settings import AssessmentSettings

pytestmark = pytest.mark.integration

HOST_PATH = "/portal/certification.html"
MY_TRACKS = "<h1>Certification</h1><academy-my-tracks></academy-my-tracks>"


async def test_my_tracks_shows_tracks_empty_state_and_refused_token_in_words_offline(
    browser: Browser,
    harness: Harness,
    issuer: DevIssuer,
    make_settings: Callable[..., AssessmentSettings],
) -> None:
    assert (UI_DIR / "dist" / "academy-ui.js").is_file(), "build the kit first: `make ui`"
    first = realistic_track(jurisdiction=unique_jurisdiction()).model_copy(
        update={"title": "Isle of Testland: compliance officer"}
    )
    second = realistic_track(jurisdiction=unique_jurisdiction()).model_copy(
        update={"title": "Republic of Examplia: compliance officer"}
    )
    await harness.publish(first, second)
    operator = unique_operator()
    await harness.go_live(operator, first.jurisdiction, second.jurisdiction)
    headers = harness.auth(operator, sub="grace", name="Grace Hopper")
    module = first.modules[0]
    done = await harness.client.put(
        f"/v1/me/tracks/{first.track_key}/modules/{module.id}/completion", headers=headers
    )
    assert done.status_code == 200, done.text
    token = headers["Authorization"].removeprefix("Bearer ")
    no_tracks = issuer.mint(sub="ada", operator_id=unique_operator(), groups=["compliance_officer"])
    refused = DevIssuer("http://someone-else.test").mint(
        sub="eve", operator_id=operator, groups=["compliance_officer"]
    )

    settings = make_settings(
        AssessmentSettings, oidc_issuer=ISSUER, ui_dist_dir=str(UI_DIR / "dist")
    )
    app, runtime = create(settings, clock=FakeClock())
    wire_issuer(app, settings, issuer)
    with ServerThread(app, runtime, name="ui-kit") as base_url:
        async with offline_page(browser, base_url) as (page, log):
            await open_host(page, f"{base_url}{HOST_PATH}", host_page(MY_TRACKS, token))
            tracks = page.get_by_role("listitem")
            await expect(tracks).to_have_count(2)
            first_button = page.get_by_role("button", name=first.title)
            second_button = page.get_by_role("button", name=second.title)
            await expect(first_button).to_be_visible()
            in_progress = tracks.filter(has=first_button)
            await expect(in_progress).to_contain_text("In progress")
            await expect(in_progress).to_contain_text(
                f"of {sum(len(m.lessons) for m in first.modules)} lessons completed"
            )
            await expect(tracks.filter(has=second_button)).to_contain_text("Not started")
            await expect(
                page.get_by_role("progressbar", name=f"Progress of {first.title}")
            ).to_be_visible()
            await expect(page.get_by_role("status")).to_have_count(0)

            buttons = tracks.get_by_role("button")
            for index in range(2):
                await page.keyboard.press("Tab")
                await expect(buttons.nth(index)).to_be_focused()
            await page.evaluate(
                """() => document.addEventListener(
                    "academy-track-selected", e => { window.selectedTrack = e.detail.trackKey })"""
            )
            await page.keyboard.press("Enter")
            keys = {first.title: first.track_key, second.title: second.track_key}
            selected = await page.evaluate("() => window.selectedTrack")
            assert selected == keys[await buttons.nth(1).inner_text()]
            assert await serious_axe_violations(page) == []
            version = await page.evaluate("import('/ui/academy-ui.js').then(m => m.VERSION)")
            assert version == json.loads((UI_DIR / "package.json").read_text())["version"]

            await open_host(page, f"{base_url}{HOST_PATH}", host_page(MY_TRACKS, no_tracks))
            await expect(page.get_by_text("You have no training tracks yet.")).to_be_visible()
            await expect(page.get_by_role("listitem")).to_have_count(0)

            await open_host(page, f"{base_url}{HOST_PATH}", host_page(MY_TRACKS, refused))
            alert = page.get_by_role("alert")
            await expect(alert).to_contain_text(
                "Your sign-in was not accepted. Sign in to the portal again"
            )
            await expect(alert.get_by_role("button", name="Try again")).to_be_visible()
            assert await serious_axe_violations(page) == []
            await page.wait_for_load_state("networkidle")
    assert log.blocked == [], "the UI kit reached beyond the app"
    assert log.page_errors == []
    unexpected = [e for e in log.console_errors if "401" not in e]
    assert unexpected == [], "only the refused token's 401 may show in the console"


async def test_ui_path_answers_404_in_words_while_the_kit_is_not_built(
    make_settings: Callable[..., AssessmentSettings], tmp_path: Path
) -> None:
    settings = make_settings(AssessmentSettings, ui_dist_dir=str(tmp_path / "missing"))
    app, runtime = create(settings, clock=FakeClock())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://assessment.test") as client:
        response = await client.get("/ui/academy-ui.js")
    await runtime.engine.dispose()
    assert response.status_code == 404
    assert response.json()["error"] == "ui_not_built"
    assert "make ui" in response.json()["detail"]
