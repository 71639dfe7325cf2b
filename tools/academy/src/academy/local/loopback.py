"""JSON calls to the local mesh, standard library only (so `academy token` starts at once)."""

import json
import time
import urllib.error
import urllib.request
from typing import Any

#: How long a minted development token lives.
TOKEN_TTL_S = 12 * 3600


def http_json(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    """Call a loopback JSON API; raises urllib's HTTPError (with the body) on a refusal."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - loopback only
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        raw = response.read()
        return json.loads(raw) if raw else None


def mint(issuer_url: str, sub: str, operator_id: str, groups: list[str]) -> str:
    """A bearer token from the development issuer."""
    body = {"sub": sub, "operator_id": operator_id, "groups": groups, "ttl_s": TOKEN_TTL_S}
    token: str = http_json("POST", f"{issuer_url.rstrip('/')}/token", body)["access_token"]
    return token


def go_live_when_published(
    assessment_url: str,
    operator_id: str,
    jurisdictions: list[str],
    *,
    token: str,
    reason: str,
    timeout: float = 120.0,
) -> Any:
    """Onboard `operator_id` in `jurisdictions` (as a new operator) once assessment has their
    published tracks: it answers 422 naming the published ones until the catalogue's tracks
    reach it over Kafka. Any other refusal, or the deadline, raises."""
    url = f"{assessment_url.rstrip('/')}/v1/admin/operators/{operator_id}/jurisdictions"
    body = {"jurisdictions": jurisdictions, "reason": reason, "new_operator": True}
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http_json("PUT", url, body, token=token)
        except urllib.error.HTTPError as exc:
            if exc.code != 422 or time.monotonic() > deadline:
                raise
        time.sleep(0.5)  # polling the condition above, bounded by the deadline
