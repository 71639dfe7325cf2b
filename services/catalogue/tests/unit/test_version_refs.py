"""Naming a published version (latest, previous, latest~N, #N, hash prefix) on a fake store."""

from datetime import UTC, datetime, timedelta

import pytest
from catalogue_fakes import FakePublicationStore

from catalogue.domain.history import Publication, PublicationRef
from catalogue.service.reading import NotFound
from catalogue.service.refs import find_publication

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _store(*versions: str) -> FakePublicationStore:
    """Publications #1… of these versions (a version may be published again after a revert)."""
    store = FakePublicationStore()
    for seq, version in enumerate(versions, start=1):
        ref = PublicationRef(seq, version, T0 + timedelta(days=seq))
        store.log.append(Publication(ref, None, "t", "t", (), 0))
    return store


V1, V2, V3 = "aaaaaa" + "1" * 58, "bbbbbb" + "2" * 58, "abcdef" + "3" * 58


@pytest.mark.parametrize(
    ("ref", "seq"),
    [("latest", 4), ("HEAD", 4), ("previous", 3), ("latest~2", 2), ("#1", 1), (" #3 ", 3)],
)
async def test_relative_and_numbered_references_name_a_publication(ref: str, seq: int) -> None:
    store = _store(V1, V2, V3, V1)

    assert (await find_publication(store, ref)).seq == seq


async def test_a_hash_prefix_names_the_latest_publication_of_that_version() -> None:
    store = _store(V1, V2, V1, V3)

    found = await find_publication(store, V1[:8].upper())

    assert (found.seq, found.version) == (3, V1)


@pytest.mark.parametrize(
    ("ref", "code", "says"),
    [
        ("#9", "publication_not_found", "publications run from #1 to #3"),
        ("latest~3", "publication_not_found", "names publication #0"),
        ("cccccc", "version_not_found", "no published version starts with 'cccccc'"),
        ("a", "bad_reference", "'latest~N'"),
        ("yesterday", "bad_reference", "a version hash prefix of at least 6 hex digits"),
    ],
)
async def test_a_reference_to_nothing_says_what_would_work(ref: str, code: str, says: str) -> None:
    store = _store(V1, V2, V3)

    with pytest.raises(NotFound) as found:
        await find_publication(store, ref)

    assert found.value.code == code
    assert says in found.value.detail


async def test_an_ambiguous_prefix_lists_the_versions_it_matches() -> None:
    other = "aaaaaa" + "9" * 58
    store = _store(V1, other, V3)

    with pytest.raises(NotFound) as ambiguous:
        await find_publication(store, "aaaaaa")

    assert ambiguous.value.code == "ambiguous_version"
    assert f"({other[:12]}, {V1[:12]})" in ambiguous.value.detail
    assert (await find_publication(store, "aaaaaa1")).version == V1


async def test_references_before_the_first_publication_say_how_to_publish() -> None:
    with pytest.raises(NotFound) as found:
        await find_publication(FakePublicationStore(), "latest")

    assert found.value.code == "catalogue_not_published"
