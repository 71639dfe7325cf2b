"""The reference portal in Debian's Chromium against the whole mesh as processes: the demo
operator's people sign in and use the Certification tab as the issue's journeys describe.

- an operator admin sees which requirement blocks a release, and who could meet it (GSC);
- a compliance officer reads every lesson, passes the exam, finds the certificate, and sees the
  tooling unlock on the open page without a reload (MGA: one certified officer releases it);
- a learner fails, sees the cooldown and the attempts left, and cannot start early (MGA);
- support force-releases with a reason through the confirmation and sees the delivery (GCB).

Each journey owns a jurisdiction or a person, so none depends on another having run: the GSC
policy stays unmet (nobody passes its officer exam), only the officer's pass releases MGA,
only support releases GCB. Set-up goes through the public APIs; the page may reach only the
portal, the assessment service (kit and APIs) and the release bridge.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, Page, expect
from portal_journey_steps import (
    RELEASE_TIMEOUT_MS,
    SCREEN_TIMEOUT_MS,
    answer_every_question,
    assert_clean,
    certification_tab_by_keyboard,
    complete_training,
    cooldown_words,
    heading,
    lesson_count,
    my_attempts,
    pass_exam,
    person,
    person_token,
    portal_page,
    published_tracks,
    read_every_lesson,
    screenshot,
    sign_in_by_keyboard,
    submit_through_the_confirmation,
    token_of,
    tooling_row,
    tooling_tab_by_keyboard,
)

from academy.demo.harness import call
from academy.local.loopback import go_live_when_published
from academy.local.mesh import Mesh
from academy.local.portal_people import DEMO_OPERATOR
from academy_testkit.browser import UI_DIR, serious_axe_violations
from academy_testkit.waiting import until

pytestmark = pytest.mark.e2e

OFFICER, LEARNER, ADMIN, SUPPORT = (
    person(sub) for sub in ("alice.officer", "kai.analyst", "olga.admin", "sam.support")
)
#: As `academy up` seeds the demo operator.
GO_LIVE = ["GCB", "GSC", "MGA"]


@dataclass(frozen=True)
class Urls:
    """The mesh's URLs the journeys use; the page may reach exactly the first three."""

    portal: str
    assessment: str
    release_bridge: str
    issuer: str

    @property
    def origins(self) -> tuple[str, str, str]:
        return self.portal, self.assessment, self.release_bridge


@pytest.fixture(scope="module")
def demo(mesh: Mesh, admin_token: str, catalogue_in_assessment: None) -> Urls:
    """The demo operator live where `academy up` puts it (no other e2e test uses it)."""
    assert (UI_DIR / "dist" / "academy-ui.js").is_file(), "build the kit first: `make ui`"
    go_live_when_published(
        mesh.url("assessment"),
        DEMO_OPERATOR,
        GO_LIVE,
        token=admin_token,
        reason="e2e: the portal journeys' demo operator",
    )
    return Urls(
        portal=mesh.url("portal"),
        assessment=mesh.url("assessment"),
        release_bridge=mesh.url("release-bridge"),
        issuer=mesh.url("issuer"),
    )


async def _no_serious_violations(page: Page) -> None:
    assert await serious_axe_violations(page) == []


async def test_operator_admin_sees_which_requirement_blocks_the_release_and_who_could_meet_it(
    browser: Browser, demo: Urls
) -> None:
    # GSC needs a certified compliance officer and a certified MLRO: the MLRO passes through
    # the API, the officer has signed in once (so the academy knows her) and trained nothing.
    gsc_officer = published_tracks()["GSC.compliance_officer"]
    mlro = token_of(demo.issuer, "mia.mlro", DEMO_OPERATOR, ["mlro"], "Mia Reporting")
    complete_training(demo.assessment, mlro, "GSC.mlro")
    pass_exam(demo.assessment, mlro, published_tracks()["GSC.mlro"])
    call("GET", f"{demo.assessment}/v1/me", token=person_token(demo.issuer, OFFICER))

    async with portal_page(browser, *demo.origins) as (page, log):
        await sign_in_by_keyboard(page, demo.portal, ADMIN)
        panel = await certification_tab_by_keyboard(page)
        readiness = panel.locator("academy-readiness")
        gsc = readiness.get_by_role("article", name="Isle of Man (GSC)")
        await expect(gsc).to_contain_text(
            "Not ready: the release of gsc-licensing-suite is blocked.", timeout=SCREEN_TIMEOUT_MS
        )
        requirements = gsc.get_by_role("table", name="What the GSC release policy requires")
        await expect(
            requirements.get_by_role("row", name=re.compile("^money laundering reporting"))
        ).to_contain_text("Met")
        await expect(requirements).to_contain_text("Mia Reporting, valid until")
        await expect(
            requirements.get_by_role("row", name=re.compile("^compliance officer"))
        ).to_contain_text("Missing 1: blocks the release")
        blocker = gsc.locator(".blocker")
        await expect(blocker).to_have_count(1)
        await expect(blocker.get_by_role("heading")).to_have_text(
            "Blocks the release: 1 more compliance officer with a valid GSC certificate "
            "(0 of 1 certified)"
        )
        lessons = lesson_count(gsc_officer)
        await expect(blocker.get_by_role("listitem")).to_have_text(
            [f"Alice Officer: not started ({lessons} lessons), exam not yet passed"]
        )
        await _no_serious_violations(page)
        await screenshot(page, "portal-officer-overview.png")
        await page.wait_for_load_state("networkidle")
    assert_clean(log)


async def test_compliance_officer_learns_passes_and_sees_the_tooling_unlock_without_a_reload(
    browser: Browser, demo: Urls
) -> None:
    track = published_tracks()["MGA.compliance_officer"]
    async with portal_page(browser, *demo.origins) as (page, log):
        await page.goto(f"{demo.portal}/")
        await screenshot(page, "portal-sign-in.png")
        await _no_serious_violations(page)
        await sign_in_by_keyboard(page, demo.portal, OFFICER)
        await expect(tooling_row(page, "MGA")).to_have_count(0)
        await page.evaluate("() => { window.__noReload = true }")

        panel = await certification_tab_by_keyboard(page)
        await panel.get_by_role("button", name=track.title, exact=True).click(
            timeout=SCREEN_TIMEOUT_MS
        )
        await expect(heading(page, track.title)).to_be_focused()
        await expect(page.get_by_text("Complete these modules before the exam:")).to_be_visible()

        async def first_lesson_shown() -> None:
            await _no_serious_violations(page)
            await screenshot(page, "portal-lesson.png", full_page=False)

        await read_every_lesson(page, track, on_first=first_lesson_shown)
        await page.get_by_role("button", name="Back to the track").click()
        await expect(heading(page, track.title)).to_be_focused()
        await expect(page.locator("academy-track ol.lessons > li")).to_have_count(
            lesson_count(track)
        )
        await expect(
            page.locator("academy-track ol.lessons > li").filter(has_text="Not completed yet")
        ).to_have_count(0)
        await expect(
            page.get_by_text("Your training is complete: you may start the exam.")
        ).to_be_visible()

        await page.get_by_role("button", name="Start the exam").click()
        await expect(heading(page, f"Exam: {track.title}")).to_be_focused()
        await page.get_by_role("button", name="Begin the exam").click()
        await expect(page.get_by_role("timer", name="Time left")).to_be_visible()
        await answer_every_question(page, track, right=True)
        await _no_serious_violations(page)
        await screenshot(page, "portal-exam.png", full_page=False)
        await submit_through_the_confirmation(page, track.exam.question_count)
        await expect(page.get_by_text("You passed.")).to_be_visible()
        await expect(page.get_by_text("Your score: 100% (pass mark 80%).")).to_be_visible()
        await expect(page.get_by_text("Your certificate is valid until")).to_be_visible()
        await _no_serious_violations(page)
        await screenshot(page, "portal-exam-result.png", full_page=False)

        await page.get_by_role("button", name="Back to the track").click()
        await expect(
            page.get_by_text(re.compile(r"^Certified until .*Recertification opens on"))
        ).to_be_visible()
        await page.get_by_role("button", name="Back to my tracks").click()
        await expect(heading(page, "My training tracks")).to_be_focused()
        certificate = page.locator("academy-my-certificates").get_by_role("listitem")
        await expect(certificate).to_have_count(1)
        await expect(certificate.get_by_role("heading")).to_have_text(track.title)
        await expect(certificate).to_contain_text("Valid")

        # The pass reaches the portal as a signed webhook; the open page hears of it (SSE).
        tooling = await tooling_tab_by_keyboard(page)
        row = tooling_row(page, "MGA")
        await expect(row).to_contain_text("mga-licensing-suite", timeout=RELEASE_TIMEOUT_MS)
        await expect(row).to_contain_text("unlocked")
        await expect(row).to_contain_text("certified staff")
        assert await page.evaluate("() => window.__noReload") is True, "the page was reloaded"
        await expect(tooling).to_be_visible()
        await _no_serious_violations(page)
        await screenshot(page, "portal-tooling-unlocked.png")

        # Her overview on the same page was loaded again after the pass, not left stale.
        tabs_ = page.get_by_role("tab")
        await tabs_.filter(has_text="Licensing tooling").focus()
        await page.keyboard.press("ArrowRight")
        panel = page.get_by_role("tabpanel", name="Certification")
        mga = panel.locator("academy-readiness").get_by_role("article", name="Malta (MGA)")
        await expect(mga).to_contain_text(
            "Ready: the release policy is met", timeout=SCREEN_TIMEOUT_MS
        )
        await page.wait_for_load_state("networkidle")
    assert_clean(log)


async def test_learner_who_fails_sees_the_cooldown_and_cannot_start_before_it_ends(
    browser: Browser, demo: Urls
) -> None:
    track = published_tracks()["MGA.kyc_analyst"]
    token = person_token(demo.issuer, LEARNER)
    complete_training(demo.assessment, token, track.track_key)  # reading is the officer's part

    async with portal_page(browser, *demo.origins) as (page, log):
        await sign_in_by_keyboard(page, demo.portal, LEARNER)
        panel = await certification_tab_by_keyboard(page)
        await panel.get_by_role("button", name=track.title, exact=True).click(
            timeout=SCREEN_TIMEOUT_MS
        )
        await expect(heading(page, track.title)).to_be_focused()
        await expect(
            page.get_by_text("Your training is complete: you may start the exam.")
        ).to_be_visible()
        await _no_serious_violations(page)
        await screenshot(page, "portal-certification-learner.png")

        await page.get_by_role("button", name="Start the exam").click()
        await expect(
            page.get_by_text("Attempts left in this certification cycle: 3 of 3.")
        ).to_be_visible()
        begin = page.get_by_role("button", name="Begin the exam")
        await begin.click()
        await expect(page.get_by_role("timer", name="Time left")).to_be_visible()
        await answer_every_question(page, track, right=False)
        await submit_through_the_confirmation(page, track.exam.question_count)

        [attempt] = my_attempts(demo.assessment, token, track.track_key)
        retry = (
            "You may try again after "
            f"{cooldown_words(attempt['submitted_at'], track.exam.cooldown_hours)}."
        )
        await expect(page.get_by_text("You did not pass.")).to_be_visible()
        await expect(page.get_by_text("Your score: 0% (pass mark 80%).")).to_be_visible()
        await expect(page.get_by_text(retry)).to_be_visible()
        await expect(
            page.get_by_text("Attempts left in this certification cycle: 2.")
        ).to_be_visible()
        await _no_serious_violations(page)

        await page.get_by_role("button", name="Back to the track").click()
        await page.get_by_role("button", name="Start the exam").click()
        await begin.click()
        await expect(page.get_by_role("alert")).to_have_text(
            "You cannot start a new attempt yet: your last attempt did not pass. " + retry
        )
        await expect(page.get_by_role("timer")).to_have_count(0)
        await _no_serious_violations(page)
        await page.wait_for_load_state("networkidle")
    attempts = my_attempts(demo.assessment, token, track.track_key)
    assert [(a["status"], a["result"]) for a in attempts] == [("submitted", "fail")]
    assert_clean(log, 429)


async def test_support_force_releases_with_a_reason_and_sees_the_delivery(
    browser: Browser, demo: Urls
) -> None:
    support = person_token(demo.issuer, SUPPORT)
    async with portal_page(browser, *demo.origins) as (page, log):
        await sign_in_by_keyboard(page, demo.portal, SUPPORT)
        await expect(tooling_row(page, DEMO_OPERATOR, "GCB")).to_have_count(0)
        panel = await certification_tab_by_keyboard(page)
        form = panel.locator("academy-force-release")
        operator_field = form.get_by_label("Operator id")
        await operator_field.focus(timeout=SCREEN_TIMEOUT_MS)
        await page.keyboard.type(DEMO_OPERATOR)
        await page.keyboard.press("Tab")
        await expect(form.get_by_label("Jurisdiction")).to_be_focused()
        await page.keyboard.type("GCB")
        await page.keyboard.press("Tab")
        reason = form.get_by_label("Reason (recorded in the audit log with your name)")
        await expect(reason).to_be_focused()
        await page.keyboard.type("regulator agreed interim cover, ticket 4711")
        await page.keyboard.press("Tab")
        await expect(form.get_by_role("button", name="Force-release…")).to_be_focused()
        await page.keyboard.press("Enter")

        dialog = form.get_by_role("dialog")
        await expect(dialog).to_contain_text(
            f"Tooling will be unlocked for {DEMO_OPERATOR} in GCB now"
        )
        await expect(dialog.get_by_role("button", name="Unlock tooling")).to_be_focused()
        await _no_serious_violations(page)
        await page.keyboard.press("Enter")
        result = form.locator(".result")
        await expect(result).to_contain_text("Tooling is unlocked.")
        await expect(result).to_contain_text("sam.support")
        release_id = (await result.locator("dd").first.inner_text()).strip()

        # The portal acknowledges the webhook: its open page shows the unlock (SSE) and the
        # bridge records the delivery (polled, as the screen's "check again" would be).
        unlocked = tooling_row(page, DEMO_OPERATOR, "GCB")
        await expect(unlocked).to_contain_text("support override", timeout=RELEASE_TIMEOUT_MS)
        await until(
            lambda: (
                call(
                    "GET",
                    f"{demo.release_bridge}/v1/support/deliveries/{release_id}",
                    token=support,
                )["status"]
                == "delivered"
            ),
            f"the bridge to record delivery {release_id}",
        )
        await result.get_by_role("button", name="Check the delivery again").click()
        await expect(result).to_contain_text("Delivered")
        await expect(result).to_contain_text("The portal acknowledged it on")

        await result.get_by_role("button", name="Show in deliveries").click()
        deliveries = panel.locator("academy-deliveries")
        toggle = deliveries.get_by_role("button", name=release_id, exact=True)
        await expect(toggle).to_be_focused()
        await expect(toggle).to_have_attribute("aria-expanded", "true")
        attempts = deliveries.get_by_role("table", name=f"Attempts of {release_id}")
        await expect(attempts).to_contain_text("HTTP 204")
        await expect(attempts).to_contain_text("Delivered")
        await _no_serious_violations(page)
        await screenshot(page, "portal-support-console.png")

        await tooling_tab_by_keyboard(page)
        await expect(unlocked).to_be_visible()
        await expect(unlocked).to_contain_text("gcb-licensing-suite")
        await page.wait_for_load_state("networkidle")
    assert_clean(log)
