"""The real catalogue shipped in services/catalogue/content."""

from pathlib import Path

import pytest

from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import resolve, validate
from catalogue.domain.resolved import ResolvedCatalogue, ResolvedTrack

ROLES = {"compliance_officer", "mlro", "kyc_analyst", "customer_support"}
CATALOGUE = resolve(BUNDLED_CONTENT_DIR)


def test_bundled_content_has_no_problems() -> None:
    assert validate(BUNDLED_CONTENT_DIR).render() == ""


def test_every_jurisdiction_has_a_track_for_every_role() -> None:
    assert {j.code for j in CATALOGUE.jurisdictions} == {"MGA", "GCB", "GSC", "UKGC"}
    for jurisdiction in CATALOGUE.jurisdictions:
        assert set(jurisdiction.roles) == ROLES


@pytest.mark.parametrize("track", CATALOGUE.tracks, ids=lambda t: t.key)
def test_every_pool_has_at_least_30_questions_and_enough_for_its_exam(
    track: ResolvedTrack,
) -> None:
    pool = track.question_pool
    assert len(pool) >= 30
    assert len(pool) >= track.exam.question_count
    assert len({q.id for q in pool}) == len(pool)


def test_every_question_has_a_correct_answer_among_its_options_and_an_explanation() -> None:
    for track in CATALOGUE.tracks:
        for question in track.question_pool:
            options = {option.id for option in question.options}
            assert question.correct, question.id
            assert set(question.correct) <= options, question.id
            assert len(question.explanation) > 20, question.id


def test_core_modules_are_shared_and_jurisdiction_modules_are_not() -> None:
    core_ids = {
        "aml-fundamentals",
        "kyc-cdd",
        "transaction-monitoring",
        "responsible-gambling",
        "compliance-hygiene",
    }
    for jurisdiction in CATALOGUE.jurisdictions:
        track = CATALOGUE.track(jurisdiction.code, "compliance_officer")
        modules = {m.id: m.origin for m in track.modules}
        assert core_ids <= modules.keys()
        local = {m for m, origin in modules.items() if origin == "jurisdiction"}
        assert local
        assert all(m.startswith(jurisdiction.code.lower()) for m in local)


def test_each_jurisdiction_overrides_some_core_content() -> None:
    plain = {m.id: m.version for m in CATALOGUE.track("MGA", "mlro").modules}
    for code in ("GCB", "GSC", "UKGC"):
        other = {m.id: m.version for m in CATALOGUE.track(code, "mlro").modules}
        assert other["transaction-monitoring"] != plain["transaction-monitoring"]


def test_mga_release_needs_one_certified_compliance_officer() -> None:
    policy = CATALOGUE.jurisdiction("MGA").release_policy
    assert policy.requirements == (("compliance_officer", 1),)
    assert policy.tooling == ("mga-licensing-suite",)


def test_content_is_marked_as_illustrative() -> None:
    assert "Illustrative training content" in CATALOGUE.notice
    readme = Path(__file__).resolve().parents[2] / "README.md"  # services/catalogue
    assert "illustrative" in readme.read_text(encoding="utf-8").lower()


def test_lessons_are_real_markdown_not_placeholders() -> None:
    for track in CATALOGUE.tracks:
        for module in track.modules:
            for lesson in module.lessons:
                assert lesson.body.startswith("# "), lesson.id
                assert len(lesson.body.split()) > 150, lesson.id
                assert "lorem" not in lesson.body.lower()


def test_bundled_catalogue_is_a_resolved_catalogue() -> None:
    assert isinstance(CATALOGUE, ResolvedCatalogue)
    assert len(CATALOGUE.tracks) == 16
