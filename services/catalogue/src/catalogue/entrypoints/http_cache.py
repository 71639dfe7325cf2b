"""Strong ETags from content versions, Cache-Control, and `If-None-Match` -> 304."""

from typing import Annotated, Any

from fastapi import Header, Response

#: Bump when a response shape changes, so clients holding an old representation refetch it.
VIEW_REVISION = "r2"

#: A track at a version is content-addressed: it can never change.
IMMUTABLE = "private, max-age=31536000, immutable"
#: "Latest" views change when someone publishes: cache, but revalidate (cheap with the ETag).
REVALIDATE = "private, no-cache"

IfNoneMatch = Annotated[
    str | None,
    Header(
        description="ETag(s) from an earlier response; 304 Not Modified when one still matches",
        examples=['"c14c6e254053fec3da3eb0aff9983e3db1edfc5d3e318246fb2c060391fd8b7e-r2"'],
    ),
]


def etag(*parts: str | int) -> str:
    """A strong entity tag: the content version(s) the body is built from, plus the view."""
    return '"' + "-".join(str(p) for p in (*parts, VIEW_REVISION)) + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison, as `If-None-Match` requires (`W/` prefixes ignored)."""
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    if "*" in candidates:
        return True
    return any(c.removeprefix("W/") == tag for c in candidates)


def conditional(
    response: Response, if_none_match: str | None, *, tag: str, cache_control: str
) -> Response | None:
    """Set the validators on `response`; return a 304 to send instead when the client has it."""
    headers = {"ETag": tag, "Cache-Control": cache_control}
    if matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return None


VALIDATOR_HEADERS: dict[str, Any] = {
    "ETag": {
        "description": "strong validator built from the content version; send it back in "
        "If-None-Match",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": f"`{IMMUTABLE}` for a track at a version, `{REVALIDATE}` for views of "
        "the latest publication",
        "schema": {"type": "string"},
    },
}


def cache_responses() -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries: validators on 200, and the 304 answer to a matching If-None-Match."""
    return {
        200: {"headers": VALIDATOR_HEADERS},
        304: {
            "description": "Not modified: the client's copy is current",
            "headers": VALIDATOR_HEADERS,
        },
    }
