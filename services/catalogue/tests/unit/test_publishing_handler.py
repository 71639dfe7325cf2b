"""The publish handler on fakes of its ports: versions, publication log and staged events."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from catalogue_builders import append, copy_bundled, resolved
from catalogue_fakes import FakeUnit

from catalogue.service.publishing import PublishResult, publish
from contracts import topics
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
MGA_LESSON = "jurisdictions/MGA/modules/mga-aml-cft/lessons/02-fiau-reporting-and-supervision.md"
MGA_MODULE_TRACKS = {"MGA.compliance_officer", "MGA.mlro", "MGA.kyc_analyst"}
JURISDICTION_ADDED = "academy.jurisdiction.added.v1"
TRACK_PUBLISHED = "academy.track.published.v1"
POLICY_PUBLISHED = "academy.release_policy.published.v1"


async def _publish(uow: FakeUnit, root: Path, *, now: datetime = T0) -> PublishResult:
    return await publish(resolved(root), uow=uow, source=str(root), publisher="ada", now=now)


async def test_a_first_publish_records_publication_one_and_stages_every_event_in_a_safe_order(
    tmp_path: Path,
) -> None:
    uow = FakeUnit()
    root = copy_bundled(tmp_path)

    result = await _publish(uow, root)

    assert result.published
    assert (result.seq, result.previous_version) == (1, None)
    assert (
        uow.events.types
        == [JURISDICTION_ADDED] * 4 + [TRACK_PUBLISHED] * 16 + [POLICY_PUBLISHED] * 4
    )
    assert [e.id for e in result.events] == [e.id for e in uow.events.emitted]
    [publication] = uow.publications.log
    assert (publication.seq, publication.version) == (1, result.version)
    assert (publication.source, publication.publisher) == (str(root), "ada")
    assert publication.event_ids == tuple(e.id for e in result.events)
    assert publication.change_count == len(result.changes) > 0


async def test_events_are_platform_events_whose_subject_names_the_jurisdiction_or_track(
    tmp_path: Path,
) -> None:
    uow = FakeUnit()

    await _publish(uow, copy_bundled(tmp_path))

    assert {e.tenantid for e in uow.events.emitted} == {topics.PLATFORM_TENANT}
    for event in uow.events.emitted:
        data = event.data
        if isinstance(data, JurisdictionAdded):
            assert event.subject == data.jurisdiction
        elif isinstance(data, TrackPublished):
            assert event.subject == data.track_key
        else:
            assert isinstance(data, ReleasePolicyPublished)
            assert event.subject == data.policy.jurisdiction


async def test_the_publishing_lock_is_taken_before_the_latest_version_is_read(
    tmp_path: Path,
) -> None:
    uow = FakeUnit()

    await _publish(uow, copy_bundled(tmp_path))

    calls = uow.publications.calls
    assert calls[:2] == ["lock_publishing", "latest"]
    assert calls.index("save_version") < calls.index("add_publication")


async def test_publishing_the_latest_version_again_records_nothing_and_emits_nothing(
    tmp_path: Path,
) -> None:
    uow = FakeUnit()
    root = copy_bundled(tmp_path)
    first = await _publish(uow, root)
    emitted = len(uow.events.emitted)

    again = await _publish(uow, root, now=T0 + timedelta(hours=1))

    assert not again.published
    assert (again.seq, again.version, again.events, again.changes) == (1, first.version, (), ())
    assert len(uow.publications.log) == 1
    assert len(uow.events.emitted) == emitted


async def test_a_changed_jurisdiction_module_emits_only_the_tracks_that_teach_it(
    tmp_path: Path,
) -> None:
    uow = FakeUnit()
    root = copy_bundled(tmp_path)
    first = await _publish(uow, root)
    append(root / MGA_LESSON, "\nAnother paragraph.\n")
    uow.events.emitted.clear()

    second = await _publish(uow, root, now=T0 + timedelta(days=1))

    assert (second.seq, second.previous_version) == (2, first.version)
    assert second.version != first.version
    assert uow.events.types == [TRACK_PUBLISHED] * 3
    assert {e.data.track_key for e in uow.events.emitted} == MGA_MODULE_TRACKS
    assert {c.track_key for c in second.changes if c.scope == "module"} == MGA_MODULE_TRACKS
    assert uow.publications.log[-1].previous_version == first.version


async def test_a_revert_to_an_earlier_version_is_a_new_publication_with_events(
    tmp_path: Path,
) -> None:
    uow = FakeUnit()
    original = copy_bundled(tmp_path / "a")
    changed = copy_bundled(tmp_path / "b")
    append(changed / MGA_LESSON, "\nAnother paragraph.\n")
    first = await _publish(uow, original)
    await _publish(uow, changed, now=T0 + timedelta(days=1))
    uow.events.emitted.clear()

    reverted = await _publish(uow, original, now=T0 + timedelta(days=2))

    assert reverted.published
    assert (reverted.seq, reverted.version) == (3, first.version)
    assert {e.data.track_key for e in uow.events.emitted} == MGA_MODULE_TRACKS
    assert len(uow.publications.snapshots) == 2  # the version itself is stored once
