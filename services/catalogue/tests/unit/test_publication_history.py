"""Grouping publication sightings into version spans (pure)."""

from datetime import UTC, datetime, timedelta

from catalogue.domain.history import PublicationRef, Sighting, version_spans

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _pub(seq: int) -> PublicationRef:
    return PublicationRef(seq, f"catalogue-{seq}", T0 + timedelta(days=seq))


def test_a_version_spans_from_its_first_to_its_last_publication() -> None:
    sightings = [
        Sighting(_pub(1), "v1", "MGA"),
        Sighting(_pub(2), "v1", "MGA"),
        Sighting(_pub(3), "v2", "MGA"),
    ]

    spans = version_spans(sightings, latest_seq=3)

    assert [(s.version, s.first.seq, s.last.seq, s.current) for s in spans] == [
        ("v1", 1, 2, False),
        ("v2", 3, 3, True),
    ]


def test_a_version_back_after_a_revert_is_current_again_and_keeps_its_first_publication() -> None:
    sightings = [Sighting(_pub(1), "v1", "X"), Sighting(_pub(2), "v2", "X")]
    sightings.append(Sighting(_pub(3), "v1", "X"))

    spans = version_spans(sightings, latest_seq=3)

    assert [(s.version, s.first.seq, s.last.seq, s.current) for s in spans] == [
        ("v1", 1, 3, True),
        ("v2", 2, 2, False),
    ]


def test_jurisdictions_sharing_a_version_are_listed_together() -> None:
    sightings = [
        Sighting(_pub(1), "shared", "GSC", title="Old title"),
        Sighting(_pub(1), "malta", "MGA"),
        Sighting(_pub(1), "shared", "GCB"),
        Sighting(_pub(2), "shared", "GCB", title="Same content"),
    ]

    spans = version_spans(sightings, latest_seq=2)

    assert [(s.version, s.jurisdictions) for s in spans] == [
        ("shared", ("GCB", "GSC")),
        ("malta", ("MGA",)),
    ]
    assert spans[0].title == "Same content"
    assert [s.current for s in spans] == [True, False]


def test_nothing_is_current_before_any_publication() -> None:
    assert version_spans([Sighting(_pub(1), "v1", "X")], latest_seq=None)[0].current is False
