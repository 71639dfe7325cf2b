"""ETags and If-None-Match matching for the read API (pure)."""

from fastapi import Response

from catalogue.entrypoints.http_cache import REVALIDATE, conditional, etag, matches

TAG = etag("abc123")


def test_etag_is_strong_and_built_from_the_content_version() -> None:
    assert TAG == '"abc123-r2"'
    assert etag("abc123", 7) == '"abc123-7-r2"'


def test_if_none_match_matches_any_listed_tag_weak_or_strong_and_the_wildcard() -> None:
    assert matches(TAG, TAG)
    assert matches(f'"other", W/{TAG}', TAG)
    assert matches("*", TAG)
    assert not matches('"abc123"', TAG)
    assert not matches(None, TAG)
    assert not matches("", TAG)


def test_a_matching_request_gets_a_bodyless_304_with_the_same_validators() -> None:
    response = Response()

    early = conditional(response, TAG, tag=TAG, cache_control=REVALIDATE)

    assert early is not None
    assert early.status_code == 304
    assert early.body == b""
    assert (early.headers["ETag"], early.headers["Cache-Control"]) == (TAG, REVALIDATE)


def test_a_fresh_request_gets_the_validators_on_its_200() -> None:
    response = Response()

    assert conditional(response, '"stale-r1"', tag=TAG, cache_control=REVALIDATE) is None
    assert (response.headers["ETag"], response.headers["Cache-Control"]) == (TAG, REVALIDATE)
