"""The staff screens of the portal UI kit in a real Chromium, served by the assessment app.

A learner walks <academy-learning> (my tracks → track → lessons → exam → result → my
certificates) on a host page of the app's own origin; the app runs in uvicorn on the test
database with a FakeClock the test moves instead of waiting. Set ACADEMY_UI_SCREENSHOTS to a
folder to keep a PNG of each screen (docs/ui/ takes them).
"""

import os
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from assessment_harness import ISSUER, Harness, wire_issuer
from assessment_testkit import FakeClock, realistic_track, unique_jurisdiction, unique_operator
from playwright.async_api import Browser, Locator, Page, expect

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
from assessment.app import create
from assessment.settings import AssessmentSettings
from contracts.catalogue import Question, TrackPublished

pytestmark = pytest.mark.integration

HOST_PATH = "/portal/certification.html"
LEARNING = "<h1>Certification</h1><academy-learning></academy-learning>"
QUESTIONS = 5


@dataclass
class Learner:
    track: TrackPublished
    token: str
    headers: dict[str, str]


async def _learner(harness: Harness, **policy: object) -> Learner:
    track = realistic_track(jurisdiction=unique_jurisdiction(), question_count=QUESTIONS, **policy)
    # A pool the size of the paper: every question is drawn, four single and one multiple.
    track = track.model_copy(
        update={
            "title": "Isle of Testland: compliance officer",
            "question_pool": track.question_pool[:QUESTIONS],
        }
    )
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    headers = harness.auth(operator, sub="grace", name="Grace Hopper")
    return Learner(track, headers["Authorization"].removeprefix("Bearer "), headers)


@contextmanager
def _app(
    make_settings: Callable[..., AssessmentSettings], issuer: DevIssuer, clock: FakeClock
) -> Iterator[str]:
    assert (UI_DIR / "dist" / "academy-ui.js").is_file(), "build the kit first: `make ui`"
    settings = make_settings(
        AssessmentSettings, oidc_issuer=ISSUER, ui_dist_dir=str(UI_DIR / "dist")
    )
    app, runtime = create(settings, clock=clock)
    wire_issuer(app, settings, issuer)
    with ServerThread(app, runtime, name="ui-staff") as base_url:
        yield base_url


@asynccontextmanager
async def _portal(browser: Browser, base_url: str, token: str) -> AsyncIterator[Page]:
    async with offline_page(browser, base_url) as (page, log):
        await open_host(page, f"{base_url}{HOST_PATH}", host_page(LEARNING, token))
        yield page
        await page.wait_for_load_state("networkidle")
    _clean(log)


def _clean(log: PageLog) -> None:
    assert log.blocked == [], "the UI kit reached beyond the app"
    assert log.page_errors == []
    # The refused starts (409/429) are the only failed requests the console may report.
    unexpected = [e for e in log.console_errors if not re.search(r"\b(409|429)\b", e)]
    assert unexpected == []


async def _screenshot(target: Page | Locator, name: str) -> None:
    folder = os.environ.get("ACADEMY_UI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        if isinstance(target, Page):
            await target.evaluate("() => window.scrollTo(0, 0)")
        await target.screenshot(path=str(Path(folder) / name))


async def _no_serious_violations(page: Page) -> None:
    assert await serious_axe_violations(page) == []


def _heading(page: Page, name: str | re.Pattern[str]) -> Locator:
    return page.get_by_role("heading", name=name, level=2)


def _question(page: Page, index: int) -> Locator:
    return page.get_by_role("group", name=re.compile(rf"^Question {index + 1} of {QUESTIONS}: "))


async def _question_shown(page: Page, track: TrackPublished, index: int) -> Question:
    """The pool's question shown at `index` (papers draw and order questions at random)."""
    legend = await _question(page, index).locator("legend").inner_text()
    stem = legend.split(": ", 1)[1]
    return next(q for q in track.question_pool if q.text == stem)


async def _answer(page: Page, track: TrackPublished, index: int, *, right: bool) -> None:
    """Answer question `index` by clicking its labelled options (right, or wrong with D)."""
    group = _question(page, index)
    question = await _question_shown(page, track, index)
    chosen = set(question.correct) if right else {f"{question.id}-d"}
    for option in question.options:
        control = group.get_by_label(option.text, exact=True)
        if question.kind == "multiple" or option.id in chosen:
            await control.set_checked(option.id in chosen)


async def _read_every_lesson(page: Page, track: TrackPublished) -> None:
    """Open the first lesson, then complete each and go on, the first two by keyboard only."""
    lessons = [lesson for module in track.modules for lesson in module.lessons]
    await page.get_by_role("button", name=lessons[0].title).click()
    for index, lesson in enumerate(lessons):
        heading = _heading(page, lesson.title)
        await expect(heading).to_be_focused()
        await expect(page.get_by_role("region", name="Lesson text")).to_contain_text(
            f"Core text of lesson {lesson.id}"
        )
        complete = page.get_by_role("button", name="Mark as complete")
        next_lesson = page.get_by_role("button", name="Next lesson")
        done = page.locator("academy-lesson #completed")
        if index == 0:
            await _screenshot(page, "staff-lesson.png")
            await _no_serious_violations(page)
        if index < 2:
            # Keyboard only: back ← heading → "Mark as complete" → Enter → "Next lesson".
            await page.keyboard.press("Shift+Tab")
            await expect(page.get_by_role("button", name="Back to the track")).to_be_focused()
            await page.keyboard.press("Tab")
            await expect(complete).to_be_focused()
            await page.keyboard.press("Enter")
            await expect(done).to_contain_text("You completed this lesson.")
            await expect(next_lesson).to_be_focused()
            if index == 1:
                previous = page.get_by_role("button", name="Previous lesson")
                await page.keyboard.press("Shift+Tab")
                await expect(previous).to_be_focused()
                await page.keyboard.press("Tab")
                await expect(next_lesson).to_be_focused()
            await page.keyboard.press("Enter")
            continue
        await complete.click()
        await expect(done).to_contain_text("You completed this lesson.")
        if index < len(lessons) - 1:
            await next_lesson.click()
        else:
            await expect(next_lesson).to_have_count(0)


async def _exam_by_keyboard(page: Page) -> None:
    """From the focused heading: Tab enters the first group; in a radio group Space chooses and
    the arrow keys move the choice, Tab leaves it; checkboxes toggle with Space and Enter, each
    one a Tab stop; after the last group comes "Submit answers"."""
    kinds = [await _question(page, i).get_by_role("checkbox").count() for i in range(QUESTIONS)]
    await page.keyboard.press("Tab")
    await expect(_question(page, 0).locator("input").first).to_be_focused()
    for index in range(QUESTIONS):
        group = _question(page, index)
        if kinds[index]:
            boxes = group.get_by_role("checkbox")
            await expect(boxes.nth(0)).to_be_focused()
            await page.keyboard.press("Space")
            await page.keyboard.press("Tab")
            await expect(boxes.nth(1)).to_be_focused()
            await page.keyboard.press("Enter")
            await expect(boxes.nth(0)).to_be_checked()
            await expect(boxes.nth(1)).to_be_checked()
            await page.keyboard.press("Enter")
            await expect(boxes.nth(1)).not_to_be_checked()
            for _ in range(kinds[index] - 1):
                await page.keyboard.press("Tab")
        else:
            radios = group.get_by_role("radio")
            await expect(radios.nth(0)).to_be_focused()
            await page.keyboard.press("Space")
            await expect(radios.nth(0)).to_be_checked()
            await page.keyboard.press("ArrowDown")
            await expect(radios.nth(1)).to_be_focused()
            await expect(radios.nth(1)).to_be_checked()
            await expect(radios.nth(0)).not_to_be_checked()
            await page.keyboard.press("ArrowUp")
            await expect(radios.nth(0)).to_be_checked()
            await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Submit answers")).to_be_focused()
    await expect(
        page.get_by_text(f"{QUESTIONS} of {QUESTIONS} questions answered.")
    ).to_be_visible()


async def _submit(page: Page, answered: int) -> None:
    """Submit through the confirmation, by keyboard: Escape first cancels, Enter confirms."""
    submit = page.get_by_role("button", name="Submit answers")
    dialog = page.get_by_role("dialog", name="Submit your answers?")
    await submit.click()
    await expect(dialog).to_contain_text(f"You answered {answered} of {QUESTIONS} questions")
    await expect(dialog.get_by_role("button", name="Submit answers")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_role("timer", name="Time left")).to_be_visible()
    await submit.click()
    await expect(dialog.get_by_role("button", name="Submit answers")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(_heading(page, "Exam result")).to_be_focused()


async def test_learner_reads_every_lesson_passes_after_a_reload_and_finds_the_certificate(
    browser: Browser,
    harness: Harness,
    issuer: DevIssuer,
    make_settings: Callable[..., AssessmentSettings],
) -> None:
    learner = await _learner(harness)
    track = learner.track
    clock = FakeClock()
    with _app(make_settings, issuer, clock) as base_url:
        async with _portal(browser, base_url, learner.token) as page:
            await page.get_by_role("button", name=track.title).click()
            await expect(_heading(page, track.title)).to_be_focused()
            await expect(
                page.get_by_text("Complete these modules before the exam:")
            ).to_be_visible()
            await _screenshot(page, "staff-track.png")
            await _no_serious_violations(page)

            await _read_every_lesson(page, track)
            await page.get_by_role("button", name="Back to the track").click()
            await expect(_heading(page, track.title)).to_be_focused()
            lessons = page.locator("academy-track ol.lessons > li")
            await expect(lessons).to_have_count(sum(len(m.lessons) for m in track.modules))
            await expect(lessons.filter(has_text="Not completed yet")).to_have_count(0)
            await expect(
                page.get_by_text("Your training is complete: you may start the exam.")
            ).to_be_visible()

            await page.get_by_role("button", name="Start the exam").click()
            await expect(_heading(page, f"Exam: {track.title}")).to_be_focused()
            await expect(
                page.get_by_text("Attempts left in this certification cycle: 3 of 3.")
            ).to_be_visible()
            await page.get_by_role("button", name="Begin the exam").click()
            await expect(_heading(page, f"Exam: {track.title}")).to_be_focused()
            timer = page.get_by_role("timer", name="Time left")
            await expect(timer).to_have_text(re.compile(r"^(30:00|29:[0-5]\d)$"))

            await _exam_by_keyboard(page)

            for index in range(3):
                await _answer(page, track, index, right=True)
            await expect(
                page.get_by_text(re.compile(r"^\s*\d of 5 questions answered"))
            ).to_be_visible()
            await expect(timer).to_have_text(re.compile(r"^29:[0-5]\d$"))
            await _screenshot(page, "staff-exam.png")
            await _no_serious_violations(page)

            # Leave and come back through the track: the open attempt is continued.
            await page.get_by_role("button", name="Back to the track").click()
            await expect(page.get_by_text("You have an exam in progress")).to_be_visible()
            await page.get_by_role("button", name="Continue the exam").click()
            await expect(timer).to_be_visible()

            chosen = await page.locator("academy-learning input:checked").count()
            await page.reload()
            await expect(_heading(page, f"Exam: {track.title}")).to_be_visible()
            await expect(timer).to_have_text(re.compile(r"^(30:00|29:[0-5]\d)$"))
            shown = await timer.inner_text()
            await expect(timer).not_to_have_text(shown)  # it counts down, once a second
            await expect(page.locator("academy-learning input:checked")).to_have_count(chosen)
            for index in range(3):
                question = await _question_shown(page, track, index)
                for option in question.options:
                    control = _question(page, index).get_by_label(option.text, exact=True)
                    if option.id in question.correct:
                        await expect(control).to_be_checked()
                    else:
                        await expect(control).not_to_be_checked()

            for index in range(3, QUESTIONS):
                await _answer(page, track, index, right=True)
            await _submit(page, QUESTIONS)
            await expect(page.get_by_text("You passed.")).to_be_visible()
            await expect(page.get_by_text("Your score: 100% (pass mark 80%).")).to_be_visible()
            await expect(page.get_by_text("Your certificate is valid until")).to_be_visible()
            await _screenshot(page, "staff-exam-result.png")
            await _no_serious_violations(page)

            await page.get_by_role("button", name="Back to the track").click()
            await expect(
                page.get_by_text(re.compile(r"^Certified until .*Recertification opens on"))
            ).to_be_visible()
            await page.get_by_role("button", name="Back to my tracks").click()
            await expect(_heading(page, "My training tracks")).to_be_focused()
            certificates = page.locator("academy-my-certificates")
            await expect(certificates.get_by_role("listitem")).to_have_count(1)
            await expect(certificates.get_by_role("heading", name=track.title)).to_be_visible()
            await expect(certificates).to_contain_text("Valid")
            code = (await certificates.locator(".code").inner_text()).strip()
            verify = certificates.get_by_role("link", name=re.compile("^Public verification page"))
            href = await verify.evaluate("link => link.href")
            assert href == f"{base_url}/v1/certificates/verify/{code}"
            await _screenshot(certificates, "staff-certificates.png")
            await _no_serious_violations(page)

            async with page.context.expect_page() as opened:
                await certificates.get_by_role("button", name=re.compile("^Printable copy")).click()
            printable = await opened.value
            await expect(
                printable.get_by_role("heading", name="Certificate of training")
            ).to_be_visible()
            await expect(printable.locator("body")).to_contain_text("Grace Hopper")
            await expect(printable.locator("body")).to_contain_text(code)

            async with page.context.expect_page() as opened:
                await verify.click()
            public = await opened.value
            await expect(
                public.get_by_role("heading", name="Certificate verification")
            ).to_be_visible()
            await expect(public.locator("body")).to_contain_text("This certificate is valid.")


async def test_learner_who_fails_sees_the_cooldown_and_cannot_start_before_it_ends(
    browser: Browser,
    harness: Harness,
    issuer: DevIssuer,
    make_settings: Callable[..., AssessmentSettings],
) -> None:
    learner = await _learner(harness, feedback="per_question", cooldown_hours=24)
    track = learner.track
    clock = FakeClock()
    with _app(make_settings, issuer, clock) as base_url:
        async with _portal(browser, base_url, learner.token) as page:
            await page.get_by_role("button", name=track.title).click()
            await page.get_by_role("button", name="Start the exam").click()
            begin = page.get_by_role("button", name="Begin the exam")
            await begin.click()
            refused = page.get_by_role("alert")
            await expect(refused).to_contain_text("Complete the training before the exam.")
            await expect(refused.get_by_role("listitem")).to_have_text(
                [module.title for module in track.modules]
            )

            await harness.complete_training(learner.headers, track.track_key)
            await begin.click()
            await expect(page.get_by_role("timer", name="Time left")).to_be_visible()
            for index in range(QUESTIONS):
                await _answer(page, track, index, right=False)
            await _submit(page, QUESTIONS)
            await expect(page.get_by_text("You did not pass.")).to_be_visible()
            await expect(page.get_by_text("Your score: 0% (pass mark 80%).")).to_be_visible()
            await expect(
                page.get_by_role("heading", name="Questions answered wrongly")
            ).to_be_visible()
            wrong = page.get_by_role("list", name="Questions answered wrongly").get_by_role(
                "listitem"
            )
            await expect(wrong).to_have_count(QUESTIONS)
            retry = "You may try again after November 25, 2031 at 09:00 UTC."
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
            listed = await harness.client.get(
                f"/v1/me/attempts?track_key={track.track_key}", headers=learner.headers
            )
            assert [a["status"] for a in listed.json()["attempts"]] == ["submitted"]
            await _no_serious_violations(page)

            clock.advance(hours=24, seconds=1)
            await begin.click()
            await expect(page.get_by_role("timer", name="Time left")).to_be_visible()
            await expect(page.get_by_role("alert")).to_have_count(0)
