"""Lessons from the real bundled catalogue as it publishes them: Malta's amendment of a core
lesson is what a Malta track's staff read, with the digest the catalogue computed."""

from datetime import timedelta
from pathlib import Path

import pytest
from assessment_harness import Harness
from assessment_testkit import T0, unique_jurisdiction, unique_operator

from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain import publication_events, resolve
from contracts.catalogue import TrackPublished
from contracts.digests import lesson_digest

pytestmark = pytest.mark.integration

LESSON = "tm-reporting-suspicion"


def _bundled(jurisdiction: str) -> TrackPublished:
    """The catalogue's published MGA compliance-officer track, moved to a code no test shares."""
    events = publication_events(resolve(BUNDLED_CONTENT_DIR), published_at=T0 - timedelta(days=1))
    track = next(
        e
        for e in events
        if isinstance(e, TrackPublished) and e.track_key == "MGA.compliance_officer"
    )
    return track.model_copy(
        update={"jurisdiction": jurisdiction, "track_key": f"{jurisdiction}.compliance_officer"}
    )


async def test_a_bundled_lesson_is_served_with_maltas_amendment_and_the_catalogues_digest(
    harness: Harness,
) -> None:
    track = _bundled(unique_jurisdiction())
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    headers = harness.auth(operator, sub="ada")
    response = await harness.client.get(
        f"/v1/me/tracks/{track.track_key}/lessons/{LESSON}", headers=headers
    )
    assert response.status_code == 200, response.text
    lesson = response.json()
    amendment = Path(
        BUNDLED_CONTENT_DIR, "jurisdictions/MGA/overrides/tm-reporting-suspicion-malta.md"
    )
    assert amendment.read_text().strip() in lesson["markdown"]
    assert lesson["content_digest"] == lesson_digest(lesson["markdown"])
    published = next(x for m in track.modules for x in m.lessons if x.id == LESSON)
    assert lesson["content_digest"] == published.digest
    assert "<h2>In Malta: FIAU timelines</h2>" in lesson["html"]
    [opened] = await harness.events(operator, "academy.lesson.opened.v1")
    assert opened.data.content_digest == published.digest
    assert opened.data.training.regulator == "Malta Gaming Authority (MGA)"
