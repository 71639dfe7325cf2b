"""The read handlers on fakes of their ports: what they serve and what they say when absent."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from catalogue_builders import append, copy_bundled, resolved
from catalogue_fakes import FakeUnit

from catalogue.service import reading
from catalogue.service.catalogue_cache import CatalogueCache
from catalogue.service.publishing import publish
from catalogue.service.reading import NotFound

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
MGA_LESSON = "jurisdictions/MGA/modules/mga-aml-cft/lessons/02-fiau-reporting-and-supervision.md"


async def _published(tmp_path: Path, *, changed_later: bool = False) -> FakeUnit:
    uow = FakeUnit()
    root = copy_bundled(tmp_path)
    await publish(resolved(root), uow=uow, source="t", publisher="t", now=T0)
    if changed_later:
        append(root / MGA_LESSON, "\nAnother paragraph.\n")
        later = T0 + timedelta(days=1)
        await publish(resolved(root), uow=uow, source="t", publisher="t", now=later)
    return uow


async def test_reads_before_the_first_publication_say_how_to_publish() -> None:
    uow, cache = FakeUnit(), CatalogueCache()

    with pytest.raises(NotFound) as current:
        await reading.current(uow=uow, cache=cache)
    with pytest.raises(NotFound) as history:
        await reading.publications(uow=uow, limit=5, before=None)

    assert current.value.code == history.value.code == "catalogue_not_published"
    assert "academy catalogue publish" in current.value.detail


async def test_the_current_catalogue_is_the_latest_publication_rebuilt_once(
    tmp_path: Path,
) -> None:
    uow, cache = await _published(tmp_path, changed_later=True), CatalogueCache()
    uow.publications.calls.clear()

    first = await reading.current(uow=uow, cache=cache)
    again = await reading.current(uow=uow, cache=cache)

    assert first.publication.seq == again.publication.seq == 2
    assert again.catalogue is first.catalogue
    assert uow.publications.calls.count("snapshot") == 1


async def test_an_unknown_jurisdiction_names_the_known_ones(tmp_path: Path) -> None:
    uow = await _published(tmp_path)

    with pytest.raises(NotFound) as found:
        await reading.jurisdiction("XX", uow=uow, cache=CatalogueCache())

    assert found.value.code == "jurisdiction_not_found"
    assert "'XX'" in found.value.detail
    assert "MGA" in found.value.detail


async def test_a_role_without_a_track_lists_the_jurisdictions_roles(tmp_path: Path) -> None:
    uow = await _published(tmp_path)

    with pytest.raises(NotFound) as found:
        await reading.track("MGA", "croupier", uow=uow, cache=CatalogueCache())

    assert found.value.code == "track_not_found"
    assert "compliance_officer" in found.value.detail


async def test_a_track_at_an_earlier_version_is_served_from_that_publication(
    tmp_path: Path,
) -> None:
    uow, cache = await _published(tmp_path, changed_later=True), CatalogueCache()
    first = uow.publications.log[0]
    old_version = uow.publications.tracks[first.version]["MGA.mlro"]

    track = await reading.track_at("MGA.mlro", old_version, uow=uow, cache=cache)
    current = await reading.track("MGA", "mlro", uow=uow, cache=cache)

    assert (track.key, track.version) == ("MGA.mlro", old_version)
    assert current.version != old_version


async def test_a_track_version_never_published_points_to_the_version_list(
    tmp_path: Path,
) -> None:
    uow = await _published(tmp_path)

    with pytest.raises(NotFound) as found:
        await reading.track_at("MGA.mlro", "0" * 64, uow=uow, cache=CatalogueCache())

    assert found.value.code == "track_version_not_found"
    assert "GET /v1/tracks/MGA.mlro/versions" in found.value.detail


async def test_track_history_spans_each_version_and_marks_the_current_one(
    tmp_path: Path,
) -> None:
    uow = await _published(tmp_path, changed_later=True)

    history = await reading.track_history("MGA.mlro", uow=uow)
    unchanged = await reading.track_history("GCB.mlro", uow=uow)

    assert history.latest.seq == 2
    assert [(s.first.seq, s.last.seq, s.current) for s in history.spans] == [
        (1, 1, False),
        (2, 2, True),
    ]
    assert [(s.first.seq, s.last.seq, s.current) for s in unchanged.spans] == [(1, 2, True)]


async def test_a_track_never_published_is_not_found(tmp_path: Path) -> None:
    uow = await _published(tmp_path)

    with pytest.raises(NotFound) as found:
        await reading.track_history("MGA.croupier", uow=uow)

    assert found.value.code == "track_not_found"


async def test_a_module_filtered_to_a_jurisdiction_that_never_taught_it_hints_at_the_filter(
    tmp_path: Path,
) -> None:
    uow = await _published(tmp_path)

    everywhere = await reading.module_history("mga-aml-cft", None, uow=uow)
    with pytest.raises(NotFound) as elsewhere:
        await reading.module_history("mga-aml-cft", "GCB", uow=uow)
    with pytest.raises(NotFound) as nowhere:
        await reading.module_history("no-such-module", None, uow=uow)

    assert [s.jurisdictions for s in everywhere.spans] == [("MGA",)]
    assert elsewhere.value.code == nowhere.value.code == "module_not_found"
    assert "drop the jurisdiction filter" in elsewhere.value.detail
    assert "module ids are listed in each track" in nowhere.value.detail


async def test_publications_page_back_newest_first(tmp_path: Path) -> None:
    uow = await _published(tmp_path, changed_later=True)

    latest, page = await reading.publications(uow=uow, limit=5, before=2)

    assert latest.seq == 2
    assert [p.seq for p in page] == [1]
