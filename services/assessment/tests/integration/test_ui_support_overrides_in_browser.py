"""Support's staff overrides of the portal UI kit in a real Chromium against the assessment app.

<academy-staff-overrides> on a host page served from the app's origin (which serves the kit at
/ui/): attempt reset, training waiver and certificate revocation, each with a reason and a
confirmation, refusals in words next to the field; the staff and the certificate are made
through the in-process harness on the same database.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from assessment_harness import ISSUER, Harness, wire_issuer
from assessment_testkit import (
    FakeClock,
    answers,
    realistic_track,
    unique_jurisdiction,
    unique_operator,
)
from playwright.async_api import Browser, Page, Request, expect

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

HOST_PATH = "/portal/support.html"
OVERRIDES = "<h1>Support</h1><academy-staff-overrides></academy-staff-overrides>"
REASON = "Reason (recorded in the audit log with your name)"


def _record_posts(page: Page) -> list[str]:
    """The path of every POST the page sends (a cancelled confirmation sends none)."""
    posts: list[str] = []

    def on_request(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url.split("/v1/", 1)[-1])

    page.on("request", on_request)
    return posts


async def _screenshot(page: Page, name: str) -> None:
    shots = os.environ.get("ACADEMY_UI_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(shots) / name), full_page=True)


async def test_support_resets_attempts_waives_training_and_revokes_a_certificate(
    browser: Browser,
    harness: Harness,
    issuer: DevIssuer,
    make_settings: Callable[..., AssessmentSettings],
) -> None:
    assert (UI_DIR / "dist" / "academy-ui.js").is_file(), "build the kit first: `make ui`"
    track = realistic_track(jurisdiction=unique_jurisdiction(), attempt_limit=1)
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    key = track.track_key
    ada = harness.auth(operator, sub="ada")
    await harness.complete_training(ada, key)
    attempt = (await harness.start(ada, key)).json()
    passed = await harness.submit(ada, attempt["attempt_id"], answers(track, attempt["paper"]))
    certificate = passed.json()["certificate"]
    ben = harness.auth(operator, sub="ben")
    await harness.complete_training(ben, key)
    attempt = (await harness.start(ben, key)).json()
    await harness.submit(ben, attempt["attempt_id"], answers(track, attempt["paper"], correct=1))
    assert (await harness.start(ben, key)).status_code == 409, "ben's one attempt is used"
    signed_in = await harness.client.get("/v1/me", headers=harness.auth(operator, sub="cy"))
    assert signed_in.status_code == 200, signed_in.text
    token = issuer.mint(sub="sam.support", operator_id="academy-vendor", groups=["academy_support"])

    settings = make_settings(
        AssessmentSettings, oidc_issuer=ISSUER, ui_dist_dir=str(UI_DIR / "dist")
    )
    clock = FakeClock()
    clock.advance(minutes=10)
    app, runtime = create(settings, clock=clock)
    wire_issuer(app, settings, issuer)
    with ServerThread(app, runtime, name="ui-support-overrides") as base_url:
        async with offline_page(browser, base_url) as (page, log):
            posts = _record_posts(page)
            await open_host(page, f"{base_url}{HOST_PATH}", host_page(OVERRIDES, token))
            reset = page.locator("academy-attempt-reset")
            fields = [
                reset.get_by_label("Operator id"),
                reset.get_by_label("Staff id"),
                reset.get_by_label("Track key"),
                reset.get_by_label(REASON),
            ]
            submit = reset.get_by_role("button", name="Reset attempts…")
            for field in [*fields, submit]:
                await page.keyboard.press("Tab")
                await expect(field).to_be_focused()
            await page.keyboard.press("Enter")
            for field in fields:
                await expect(field).to_have_attribute("aria-invalid", "true")
                await expect(field).to_have_accessible_description(
                    re.compile(r"This is required\.$")
                )
            await expect(fields[0]).to_be_focused()
            assert posts == [], "a form with missing fields sent something"

            for field, value in zip(
                fields, [operator, "nobody", key, "exam platform outage"], strict=True
            ):
                await field.focus()
                await page.keyboard.type(value)
            await page.keyboard.press("Tab")
            await expect(submit).to_be_focused()
            await page.keyboard.press("Enter")
            dialog = reset.get_by_role("dialog")
            await expect(dialog).to_contain_text(
                f"nobody of {operator} may start the {key} exam again"
            )
            await page.keyboard.press("Enter")
            await expect(reset.get_by_role("alert")).to_contain_text("Nothing was changed.")
            await expect(fields[1]).to_have_accessible_description(
                re.compile("No staff member nobody is known for this operator")
            )
            await expect(fields[1]).to_be_focused()
            await page.keyboard.press("Control+A")
            await page.keyboard.type("ben")
            for _ in range(3):
                await page.keyboard.press("Tab")
            await expect(submit).to_be_focused()
            await page.keyboard.press("Enter")
            await expect(dialog).to_contain_text("Reset the attempts of ben?")
            await page.keyboard.press("Enter")
            result = reset.get_by_role("status")
            await expect(result).to_contain_text(
                f"The attempts of ben on {key} ({operator}) were reset on"
            )
            await expect(result).to_contain_text("Recorded with your name (sam.support")
            harness.clock.advance(minutes=20)
            assert (await harness.start(ben, key)).status_code == 201, (
                "the reset did not lift the limit"
            )

            waiver = page.locator("academy-training-waiver")
            await waiver.get_by_label("Operator id").fill(operator)
            await waiver.get_by_label("Staff id").fill("cy")
            await waiver.get_by_label("Track key").fill(key)
            await waiver.get_by_label(REASON).fill("regulator accepts prior training, ticket 7")
            await waiver.get_by_role("button", name="Waive the training…").click()
            await (
                waiver.get_by_role("dialog")
                .get_by_role("button", name="Waive the training")
                .click()
            )
            waived = waiver.get_by_role("status")
            await expect(waived).to_contain_text(f"The training of cy on {key}")
            await expect(waived).to_contain_text(
                f"Modules waived: {', '.join(m.id for m in track.modules)}."
            )

            revocation = page.locator("academy-certificate-revocation")
            await expect(revocation).to_contain_text("A revocation cannot be undone")
            await revocation.get_by_label("Operator id").fill(operator)
            await revocation.get_by_label("Certificate id").fill(certificate["certificate_id"])
            await revocation.get_by_label(REASON).fill("exam sat by a proxy")
            revoke = revocation.get_by_role("button", name="Revoke the certificate…")
            await revoke.click()
            confirm = revocation.get_by_role("dialog")
            await expect(confirm).to_contain_text("This cannot be undone.")
            await page.keyboard.press("Escape")
            await expect(confirm).to_be_hidden()
            await expect(revoke).to_be_focused()
            sent = list(posts)
            assert not any("revocation" in post for post in sent), "cancelling revoked"

            await page.keyboard.press("Enter")
            await page.keyboard.press("Enter")
            revoked = revocation.get_by_role("status")
            await expect(revoked).to_contain_text(
                f"Certificate {certificate['certificate_id']} ({key}) was revoked on"
            )
            await _screenshot(page, "support-overrides.png")
            assert await serious_axe_violations(page) == []
            await page.wait_for_load_state("networkidle")
    code = certificate["verification_code"]
    verified = (await harness.client.get(f"/v1/certificates/verify/{code}")).json()
    assert (verified["valid"], verified["status"]) == (False, "revoked")
    assert log.blocked == [], "the UI kit reached beyond the app"
    assert log.page_errors == []
    unexpected = [e for e in log.console_errors if "404" not in e]
    assert unexpected == [], "only the refused staff id's 404 may show in the console"
