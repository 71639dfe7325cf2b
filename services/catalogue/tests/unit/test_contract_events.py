"""Resolved content maps onto the academy.catalogue.v1 contract models."""

from datetime import UTC, datetime
from pathlib import Path

from catalogue_builders import append, copy_bundled, resolved

from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import resolve
from catalogue.domain.publishing import (
    jurisdiction_added,
    publication_events,
    release_policy_published,
    track_published,
)
from catalogue.domain.resolved import ResolvedCatalogue, ResolvedTrack
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished

AT = datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
CATALOGUE = resolve(BUNDLED_CONTENT_DIR)


def _event(
    track: ResolvedTrack, catalogue: ResolvedCatalogue = CATALOGUE, version: str = "v"
) -> TrackPublished:
    return track_published(
        track,
        jurisdiction=catalogue.jurisdiction(track.jurisdiction),
        catalogue_version=version,
        published_at=AT,
    )


def test_track_published_carries_versions_pool_and_policies() -> None:
    track = CATALOGUE.track("MGA", "compliance_officer")
    event = _event(track, version=CATALOGUE.version)
    assert (event.track_key, event.jurisdiction, event.role) == (
        "MGA.compliance_officer",
        "MGA",
        "compliance_officer",
    )
    assert event.version == track.version
    assert event.module_versions == {m.id: m.version for m in track.modules}
    assert [m.origin for m in event.modules][-2:] == ["jurisdiction", "jurisdiction"]
    assert len(event.question_pool) == len(track.question_pool)
    assert (event.exam.question_count, event.exam.pass_mark) == (30, 80)
    assert event.certification.validity_months == 18
    assert event.published_at == AT
    assert event.model_dump(mode="json")["published_at"] == "2026-11-24T10:15:00Z"


def test_lesson_refs_carry_per_lesson_versions() -> None:
    event = _event(CATALOGUE.track("GSC", "mlro"))
    versions = [lesson.version for module in event.modules for lesson in module.lessons]
    assert len(set(versions)) == len(versions)


def test_every_bundled_track_is_a_valid_contract_event() -> None:
    for track in CATALOGUE.tracks:
        event = _event(track, version=CATALOGUE.version)
        assert TrackPublished.model_validate(event.model_dump()) == event


def test_jurisdiction_added_and_release_policy_events() -> None:
    gsc = CATALOGUE.jurisdiction("GSC")
    added = jurisdiction_added(gsc, catalogue_version=CATALOGUE.version, added_at=AT)
    assert (added.jurisdiction, added.regulator) == ("GSC", gsc.regulator)
    assert set(added.roles) == {"compliance_officer", "mlro", "kyc_analyst", "customer_support"}
    policy = release_policy_published(gsc.release_policy, catalogue_version="c", published_at=AT)
    assert [(r.role, r.count) for r in policy.policy.requirements] == [
        ("compliance_officer", 1),
        ("mlro", 1),
    ]
    assert policy.policy.tooling == ["gsc-licensing-suite"]
    assert policy.version == gsc.release_policy.version


def test_first_publication_emits_everything_in_a_safe_order() -> None:
    events = publication_events(CATALOGUE, published_at=AT)
    kinds = [type(e).__name__ for e in events]
    assert (
        kinds
        == ["JurisdictionAdded"] * 4 + ["TrackPublished"] * 16 + ["ReleasePolicyPublished"] * 4
    )
    assert all(
        isinstance(e, JurisdictionAdded | TrackPublished | ReleasePolicyPublished) for e in events
    )


def test_republishing_unchanged_content_emits_nothing() -> None:
    assert publication_events(CATALOGUE, published_at=AT, previous=CATALOGUE) == []


def test_publication_after_an_edit_emits_only_the_changed_tracks(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / "jurisdictions/GCB/modules/gcb-framework/lessons/01-lok-reform.md", "\nMore.\n")
    events = publication_events(resolved(root), published_at=AT, previous=before)
    assert sorted(e.track_key for e in events if isinstance(e, TrackPublished)) == [
        "GCB.compliance_officer",
        "GCB.customer_support",
    ]
    assert len(events) == 2
