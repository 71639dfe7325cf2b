"""Steps of the portal journeys: the demo operator's people and training through the public
APIs (as `academy demo` drives them), and what a person does on the reference portal's page."""

import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Locator, Page, ViewportSize, expect

from academy.demo.harness import call
from academy.demo.lessons import lessons_in_order
from academy.local.portal_people import DemoPerson, demo_people
from academy_testkit.browser import PageLog, offline_page
from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain import publication_events, resolve
from contracts.catalogue import Question, TrackPublished

#: A release crosses catalogue → assessment → Kafka → release bridge → webhook → portal → SSE.
RELEASE_TIMEOUT_MS = 60_000
#: The portal page loads the kit and the first screen from another origin.
SCREEN_TIMEOUT_MS = 15_000
#: A desktop browser window (the screenshots are this wide).
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}

PEOPLE = demo_people()


def person(sub: str) -> DemoPerson:
    return next(p for p in PEOPLE if p.sub == sub)


@cache
def published_tracks() -> dict[str, TrackPublished]:
    """The bundled catalogue's tracks as published: lessons, questions and the answer key."""
    events = publication_events(resolve(BUNDLED_CONTENT_DIR), published_at=datetime.now(UTC))
    return {e.track_key: e for e in events if isinstance(e, TrackPublished)}


def lesson_count(track: TrackPublished) -> int:
    return sum(len(module.lessons) for module in track.modules)


# -- the public APIs ---------------------------------------------------------------------------
def token_of(issuer_url: str, sub: str, operator: str, groups: list[str], name: str) -> str:
    """A token with the claims the portal's sign-in asks the dev issuer for (name, e-mail)."""
    body = {
        "sub": sub,
        "operator_id": operator,
        "groups": groups,
        "name": name,
        "email": f"{sub}@{operator}.example",
        "ttl_s": 3600,
    }
    token: str = call("POST", f"{issuer_url}/token", body)["access_token"]
    return token


def person_token(issuer_url: str, who: DemoPerson) -> str:
    return token_of(issuer_url, who.sub, who.operator_id, list(who.groups), who.name)


def complete_training(assessment: str, token: str, track_key: str) -> None:
    """Open every lesson of the track through its href and complete it, as a portal would."""
    track = call("GET", f"{assessment}/v1/me/tracks/{track_key}", token=token)
    for ref in lessons_in_order(track):
        served = call("GET", assessment + ref.href, token=token)
        call("PUT", assessment + served["completion_href"], token=token)
    done = call("GET", f"{assessment}/v1/me/tracks/{track_key}", token=token)
    assert done["progress"]["complete"], done["progress"]


def pass_exam(assessment: str, token: str, track: TrackPublished) -> dict[str, Any]:
    """Start an attempt and answer every drawn question from the published answer key."""
    key = {question.id: list(question.correct) for question in track.question_pool}
    attempt = call("POST", f"{assessment}/v1/me/tracks/{track.track_key}/attempts", token=token)
    answers = {q["id"]: key[q["id"]] for q in attempt["paper"]["questions"]}
    outcome: dict[str, Any] = call(
        "POST",
        f"{assessment}/v1/me/attempts/{attempt['attempt_id']}/submission",
        {"answers": answers},
        token=token,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert outcome["result"] == "pass", outcome
    return outcome


def my_attempts(assessment: str, token: str, track_key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = call(
        "GET", f"{assessment}/v1/me/attempts?track_key={track_key}", token=token
    )["attempts"]
    return found


def cooldown_words(submitted_at: str, hours: float) -> str:
    """The end of a cooldown as the kit writes instants: 'May 4, 2027 at 09:30 UTC'."""
    end = datetime.fromisoformat(submitted_at) + timedelta(hours=hours)
    return f"{end:%B} {end.day}, {end:%Y at %H:%M} UTC"


# -- the portal page ---------------------------------------------------------------------------
@asynccontextmanager
async def portal_page(browser: Browser, *origins: str) -> AsyncIterator[tuple[Page, PageLog]]:
    """A fresh desktop-sized page that may reach only `origins` (portal, academy services)."""
    async with offline_page(browser, *origins) as (page, log):
        await page.set_viewport_size(VIEWPORT)
        yield page, log


async def sign_in_by_keyboard(page: Page, portal: str, who: DemoPerson) -> None:
    """Tab to the radio group, arrow down to the person, Tab to "Sign in", Enter."""
    await page.goto(f"{portal}/")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    radio = page.get_by_role("radio", name=who.name)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("radio").first).to_be_focused()
    index = PEOPLE.index(who)
    for _ in range(index):
        await page.keyboard.press("ArrowDown")
    if index == 0:
        await page.keyboard.press("Space")
    await expect(radio).to_be_focused()
    await expect(radio).to_be_checked()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{portal}/portal")
    await expect(page.get_by_role("banner")).to_contain_text(who.name)
    await expect(page.locator("#tooling")).to_have_attribute("data-live", "connected")


async def certification_tab_by_keyboard(page: Page) -> Locator:
    """From the top of the portal page: Tab past "Sign out" into the tab list, ArrowRight."""
    tooling, certification = tabs(page)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Sign out")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(tooling).to_be_focused()
    await page.keyboard.press("ArrowRight")
    await expect(certification).to_be_focused()
    await expect(certification).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel", name="Certification")
    await expect(panel).to_be_visible()
    await expect(page.locator("#kit-status")).to_have_text("", timeout=SCREEN_TIMEOUT_MS)
    return panel


async def tooling_tab_by_keyboard(page: Page) -> Locator:
    """Back in the tab list (focus on the selected tab, where Tab lands), ArrowLeft."""
    tooling, certification = tabs(page)
    await certification.focus()
    await page.keyboard.press("ArrowLeft")
    await expect(tooling).to_be_focused()
    await expect(tooling).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel", name="Licensing tooling")
    await expect(panel).to_be_visible()
    return panel


def tabs(page: Page) -> tuple[Locator, Locator]:
    return (
        page.get_by_role("tab", name="Licensing tooling"),
        page.get_by_role("tab", name="Certification"),
    )


def tooling_row(page: Page, *cells: str) -> Locator:
    """The tooling panel's row holding every one of `cells` (found even while hidden)."""
    rows = page.locator("#tooling tbody tr")
    for cell in cells:
        rows = rows.filter(has=page.get_by_role("cell", name=cell, exact=True, include_hidden=True))
    return rows


def heading(page: Page, name: str | re.Pattern[str]) -> Locator:
    return page.get_by_role("heading", name=name, level=2)


def _opening_words(markdown: str, count: int = 6) -> str:
    """The first words of a lesson's first paragraph, as its HTML reads (without the markup)."""
    blocks = (block for block in re.split(r"\n\s*\n", markdown) if block.strip())
    paragraph = next(b for b in blocks if not re.match(r"\s*(#|[-*+] |\d+\. |>|\|)", b))
    plain = re.sub(r"[*`]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", paragraph))
    return " ".join(plain.split()[:count])


async def read_every_lesson(
    page: Page, track: TrackPublished, *, on_first: Callable[[], Awaitable[None]]
) -> None:
    """Open the first lesson from the track, then mark each complete and go to the next."""
    lessons = [lesson for module in track.modules for lesson in module.lessons]
    await page.get_by_role("button", name=lessons[0].title, exact=True).click()
    complete = page.get_by_role("button", name="Mark as complete")
    next_lesson = page.get_by_role("button", name="Next lesson")
    done = page.locator("academy-lesson #completed")
    text = page.get_by_role("region", name="Lesson text")
    for index, lesson in enumerate(lessons):
        await expect(heading(page, lesson.title)).to_be_focused()
        assert lesson.markdown, f"{lesson.id} is published without its text"
        await expect(text).to_contain_text(_opening_words(lesson.markdown))
        if index == 0:
            await on_first()
        await complete.click()
        await expect(done).to_contain_text("You completed this lesson.")
        if index < len(lessons) - 1:
            await next_lesson.click()
    await expect(next_lesson).to_have_count(0)


def _question(page: Page, index: int, total: int) -> Locator:
    return page.get_by_role("group", name=re.compile(rf"^Question {index + 1} of {total}: "))


async def answer_every_question(page: Page, track: TrackPublished, *, right: bool) -> None:
    """Click each shown question's options by their labels: the published key, or a wrong one."""
    total = track.exam.question_count
    pool = {question.text: question for question in track.question_pool}
    for index in range(total):
        group = _question(page, index, total)
        legend = await group.locator("legend").inner_text()
        question: Question = pool[legend.split(": ", 1)[1]]
        wrong = next(o.id for o in question.options if o.id not in question.correct)
        chosen = set(question.correct) if right else {wrong}
        for option in question.options:
            if option.id in chosen:
                await group.get_by_label(option.text, exact=True).check()
    await expect(page.get_by_text(f"{total} of {total} questions answered.")).to_be_visible()


async def submit_through_the_confirmation(page: Page, total: int) -> None:
    """Submit the answers, then confirm in the dialog with the keyboard (its button has focus)."""
    dialog = page.get_by_role("dialog", name="Submit your answers?")
    await page.get_by_role("button", name="Submit answers").click()
    await expect(dialog).to_contain_text(f"You answered {total} of {total} questions")
    await expect(dialog.get_by_role("button", name="Submit answers")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(heading(page, "Exam result")).to_be_focused()


async def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Into ACADEMY_UI_SCREENSHOTS when set (the README's pictures of the real portal): the
    whole page, or the window scrolled to the top."""
    folder = os.environ.get("ACADEMY_UI_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    await page.evaluate("() => window.scrollTo(0, 0)")
    await page.screenshot(path=str(Path(folder) / name), full_page=full_page)


def assert_clean(log: PageLog, *expected_statuses: int) -> None:
    """Nothing beyond the portal and the academy; no script error; only provoked refusals."""
    assert log.blocked == [], "the portal page reached beyond the portal and the academy"
    assert log.page_errors == []
    allowed = [rf"\b{status}\b" for status in expected_statuses]
    unexpected = [e for e in log.console_errors if not any(re.search(s, e) for s in allowed)]
    assert unexpected == [], "only the refusals the journey provokes may show in the console"
