"""Publishing against real Postgres: versions, publication history and the transactional outbox."""

import asyncio
import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from catalogue_it_kit import (
    CORE_RG_LESSON,
    MGA_LESSON,
    MGA_MODULE_TRACKS,
    T0,
    append,
    copy_bundled,
    publish_catalogue,
    publish_dir,
    replace,
    staged,
)
from sqlalchemy import func, select

from academy_runtime.service import ServiceRuntime
from catalogue.adapters.orm import catalogue_versions, publications
from catalogue.adapters.store import SqlPublicationStore
from catalogue.adapters.unit_of_work import catalogue_units
from catalogue.domain.content import resolve
from catalogue.service.publishing import publish
from contracts import Envelope, topics
from contracts.base import EventData

pytestmark = pytest.mark.integration

JURISDICTION_ADDED = "academy.jurisdiction.added.v1"
TRACK_PUBLISHED = "academy.track.published.v1"
POLICY_PUBLISHED = "academy.release_policy.published.v1"
GCB_REPORTING_OVERRIDE = "jurisdictions/GCB/overrides/tm-reporting-suspicion-curacao.md"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def _count(runtime: ServiceRuntime, table: Any) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_first_publish_stores_the_version_and_stages_every_event_in_a_safe_order(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    result = await publish_dir(runtime, root)

    assert result.published
    assert (result.seq, result.previous_version) == (1, None)
    assert result.version == resolve(root).version
    events = await staged(runtime)
    assert [e.id for e in events] == [e.id for e in result.events]
    types = [e.type for e in events]
    assert types == [JURISDICTION_ADDED] * 4 + [TRACK_PUBLISHED] * 16 + [POLICY_PUBLISHED] * 4
    assert {e.tenantid for e in events} == {topics.PLATFORM_TENANT}
    assert {e.source for e in events} == {"/academy/catalogue"}
    tracks = [e for e in events if e.type == TRACK_PUBLISHED]
    assert all(e.subject == e.data.track_key for e in tracks)
    assert all(e.data.catalogue_version == result.version for e in tracks)
    assert {c.scope for c in result.changes} == {"jurisdiction", "track"}
    async with runtime.sessions() as session:
        latest = await SqlPublicationStore(session).latest()
    assert latest is not None
    assert (latest.seq, latest.version, len(latest.event_ids)) == (1, result.version, 24)


async def test_staged_track_events_carry_every_lesson_as_served_with_digests(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    await publish_dir(runtime, root)
    catalogue = resolve(root)
    tracks = [e.data for e in await staged(runtime) if e.type == TRACK_PUBLISHED]

    assert len(tracks) == len(catalogue.tracks)
    for event in tracks:
        track = catalogue.track(event.jurisdiction, event.role)
        served = {x.id: x.body for m in track.modules for x in m.lessons}
        assert [x.id for m in event.modules for x in m.lessons] == list(served)
        for module in event.modules:
            digests = [x.digest for x in module.lessons]
            assert digests == [_sha256(served[x.id]) for x in module.lessons]
            assert [x.markdown for x in module.lessons] == [served[x.id] for x in module.lessons]
            assert module.digest == _sha256("\n".join(str(d) for d in digests))
        assert event.exam.required_modules == [m.id for m in track.modules]
        jurisdiction = catalogue.jurisdiction(event.jurisdiction)
        assert (event.jurisdiction_name, event.regulator) == (
            jurisdiction.name,
            jurisdiction.regulator,
        )
    gcb = next(e for e in tracks if e.track_key == "GCB.compliance_officer")
    reporting = next(x for m in gcb.modules for x in m.lessons if x.id == "tm-reporting-suspicion")
    curacao = (root / GCB_REPORTING_OVERRIDE).read_text(encoding="utf-8").strip()
    assert reporting.markdown.rstrip("\n").endswith(curacao)


async def test_publishing_unchanged_content_records_nothing_and_emits_nothing(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    first = await publish_dir(runtime, root)
    again = await publish_dir(runtime, copy_bundled(tmp_path, "same-content-elsewhere"))

    assert not again.published
    assert (again.seq, again.version, again.events) == (1, first.version, ())
    assert len(await staged(runtime)) == len(first.events)
    assert await _count(runtime, publications) == 1


async def test_changing_one_jurisdictions_module_emits_only_that_jurisdictions_track_events(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    first = await publish_dir(runtime, root)
    append(root, MGA_LESSON, "A new paragraph on FIAU reporting deadlines.")

    second = await publish_dir(runtime, root, now=T0 + timedelta(days=1))

    assert (second.seq, second.previous_version) == (2, first.version)
    assert {e.type for e in second.events} == {TRACK_PUBLISHED}
    assert {e.data.track_key for e in second.events} == MGA_MODULE_TRACKS
    changed_modules = {(c.track_key, c.module_id) for c in second.changes if c.scope == "module"}
    assert changed_modules == {(key, "mga-aml-cft") for key in MGA_MODULE_TRACKS}
    assert await _count(runtime, catalogue_versions) == 2


async def test_changing_a_core_module_emits_every_track_that_uses_it_in_every_jurisdiction(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    await publish_dir(runtime, root)
    append(root, CORE_RG_LESSON, "Changes in deposit patterns can be a sign of harm.")

    second = await publish_dir(runtime, root)

    tracks = resolve(root).tracks
    using = {t.key for t in tracks if any(m.id == "responsible-gambling" for m in t.modules)}
    assert {e.data.track_key for e in second.events} == using
    assert {key.split(".")[0] for key in using} == {"GCB", "GSC", "MGA", "UKGC"}
    assert len(using) < len(tracks)


async def test_changing_only_a_release_policy_emits_only_that_policy(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    await publish_dir(runtime, root)
    replace(
        root,
        "jurisdictions/GCB/jurisdiction.yaml",
        "revoke_on_lapse: false",
        "revoke_on_lapse: true",
    )

    second = await publish_dir(runtime, root)

    assert [(e.type, e.subject) for e in second.events] == [(POLICY_PUBLISHED, "GCB")]
    assert second.events[0].data.policy.revoke_on_lapse is True


async def test_a_new_jurisdiction_emits_its_added_event_tracks_and_policy_only(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    ukgc = root / "jurisdictions" / "UKGC"
    held_back = tmp_path / "UKGC"
    ukgc.rename(held_back)
    await publish_dir(runtime, root)
    held_back.rename(ukgc)

    second = await publish_dir(runtime, root)

    assert [e.type for e in second.events] == [JURISDICTION_ADDED] + [TRACK_PUBLISHED] * 4 + [
        POLICY_PUBLISHED
    ]
    assert {e.subject for e in second.events} == {"UKGC"} | {
        e.data.track_key for e in second.events if e.type == TRACK_PUBLISHED
    }
    assert all(e.data.jurisdiction == "UKGC" for e in second.events if e.type != POLICY_PUBLISHED)


async def test_reverting_to_an_earlier_version_is_a_new_publication_with_events(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    root = copy_bundled(tmp_path)
    first = await publish_dir(runtime, root)
    append(root, MGA_LESSON, "Temporary wording.")
    await publish_dir(runtime, root)
    reverted = await publish_dir(runtime, copy_bundled(tmp_path, "reverted"))

    assert (reverted.seq, reverted.version) == (3, first.version)
    assert {e.data.track_key for e in reverted.events} == MGA_MODULE_TRACKS
    assert await _count(runtime, catalogue_versions) == 2


async def test_concurrent_publishes_queue_into_one_linear_history(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    base = copy_bundled(tmp_path, "base")
    variants = []
    for n in range(3):
        root = copy_bundled(tmp_path, f"variant-{n}")
        append(root, MGA_LESSON, f"Variant {n}.")
        variants.append(resolve(root))

    results = await asyncio.gather(
        publish_dir(runtime, base),
        publish_dir(runtime, base),
        *(publish_catalogue(runtime, v, source="t", publisher="t", now=T0) for v in variants),
    )

    published = sorted((r for r in results if r.published), key=lambda r: r.seq)
    assert [r.seq for r in published] == list(range(1, len(published) + 1))
    assert len(published) >= 4  # the base once (a second identical publish may find it latest)
    chain = [None, *(r.version for r in published[:-1])]
    assert [r.previous_version for r in published] == chain
    staged_ids = [e.id for e in await staged(runtime)]
    assert staged_ids == [e.id for r in published for e in r.events]


class _FailingEvents:
    """Stages nothing and fails, like a database error while writing the outbox."""

    async def emit(
        self,
        data: EventData,
        *,
        tenant: str,
        subject: str | None = None,
        event_id: str | None = None,
    ) -> Envelope[Any]:
        raise RuntimeError("outbox write failed")


async def _publish_failing_outbox(runtime: ServiceRuntime, root: Path) -> None:
    async with catalogue_units(runtime)() as uow:
        uow.events = _FailingEvents()
        await publish(resolve(root), uow=uow, source="t", publisher="t", now=T0)


async def test_a_failed_publish_stores_neither_the_version_nor_any_event(
    runtime: ServiceRuntime, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError, match="outbox write failed"):
        await _publish_failing_outbox(runtime, copy_bundled(tmp_path))

    assert await _count(runtime, publications) == 0
    assert await _count(runtime, catalogue_versions) == 0
    assert await staged(runtime) == []
