"""The export API: inspection bundles (who may ask, what is inside, audited), runs, retries."""

import csv
import io
import json
import uuid
import zipfile
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from audit_export_harness import (
    DAY0,
    T0,
    Harness,
    RecordingUploader,
    at,
    attempt,
    envelope,
    lesson,
    new_operator,
    target_json,
)

from academy_runtime.auth import JwksCache, TokenVerifier
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app
from audit_export.domain.targets import SftpTarget
from audit_export.service.ports import DeliveryError
from auditpack.public_keys import load_trusted_keys
from auditpack.verify import verify_pack

pytestmark = pytest.mark.integration

ISSUER = "http://issuer.audit-export.test"


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    return DevIssuer(ISSUER)


@pytest.fixture
async def api(
    make_harness: Callable[..., Harness], issuer: DevIssuer
) -> AsyncIterator[tuple[Harness, httpx.AsyncClient, str]]:
    operator = new_operator()
    target = SftpTarget(
        host="archive.test",
        username="archive",
        private_key_path=Path("/nonexistent"),
        host_key_fingerprint="SHA256:" + "B" * 43,
        remote_dir=f"/archive/{operator}",
    )
    harness = make_harness(
        oidc_issuer=ISSUER,
        uploader=RecordingUploader(),
        sftp_targets=json.dumps({operator: target_json(target)}),
    )
    transport = httpx.ASGITransport(app=create_issuer_app(issuer))
    harness.app.state.token_verifier = TokenVerifier(
        harness.runtime.settings,
        jwks=JwksCache(f"{ISSUER}/jwks.json", ttl_s=600, transport=transport),
    )
    app_transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=app_transport, base_url="http://audit.test") as client:
        yield harness, client, operator


def auth(issuer: DevIssuer, operator: str, *roles: str) -> dict[str, str]:
    token = issuer.mint(sub=f"u-{uuid.uuid4().hex[:6]}", operator_id=operator, groups=list(roles))
    return {"Authorization": f"Bearer {token}"}


async def _three_days(harness: Harness, operator: str) -> None:
    await harness.ingest(
        envelope(operator, lesson(T0)),
        envelope(operator, attempt(at(DAY0, 9), number=1, jurisdiction="MGA")),
        envelope(operator, attempt(at(DAY0, 9), number=1, jurisdiction="GSC")),
        at_time=T0,
    )
    await harness.ingest(
        envelope(operator, attempt(T0, number=2, jurisdiction="MGA")),
        at_time=at(DAY0 + timedelta(days=2), 9),
    )
    harness.clock.set(at(DAY0 + timedelta(days=3), 0, 30))


def _body(first: int = 0, last: int = 2, **over: str) -> dict[str, str]:
    body = {
        "jurisdiction": "MGA",
        "from": (DAY0 + timedelta(days=first)).isoformat(),
        "to": (DAY0 + timedelta(days=last)).isoformat(),
    }
    body.update(over)
    return body


async def test_a_compliance_officer_exports_a_verifiable_bundle_of_their_operator(
    api: tuple[Harness, httpx.AsyncClient, str], issuer: DevIssuer, tmp_path: Path
) -> None:
    harness, client, operator = api
    await _three_days(harness, operator)

    response = await client.post(
        f"/v1/audit/operators/{operator}/inspection-bundles",
        json=_body(),
        headers=auth(issuer, operator, "compliance_officer"),
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(response.content))
    packs = [n for n in bundle.namelist() if n.startswith("packs/")]
    assert len(packs) == 3
    keys = tmp_path / "keys.json"
    keys.write_bytes(bundle.read("academy-audit-public-keys.json"))
    trusted = load_trusted_keys(str(keys))
    previous = None
    for name in packs:
        path = tmp_path / Path(name).name
        path.write_bytes(bundle.read(name))
        assert verify_pack(path, previous=previous, trusted_keys=trusted).ok
        previous = path
    rows = list(csv.reader(io.StringIO(bundle.read("training-records-MGA.csv").decode())))
    assert [row[5] for row in rows[1:]] == ["MGA", "MGA"]  # the GSC attempt is left out
    index = json.loads(bundle.read("index.json"))
    assert [p["pack_seq"] for p in index["packs"]] == [1, 2, 3]


async def test_an_inspection_export_is_recorded_in_the_operators_audit_log(
    api: tuple[Harness, httpx.AsyncClient, str], issuer: DevIssuer
) -> None:
    harness, client, operator = api
    await _three_days(harness, operator)
    before = await harness.log_size(operator)

    no_reason = await client.post(
        f"/v1/audit/operators/{operator}/inspection-bundles",
        json=_body(),
        headers=auth(issuer, "academy-vendor", "academy_support"),
    )
    with_reason = await client.post(
        f"/v1/audit/operators/{operator}/inspection-bundles",
        json=_body(reason="MGA inspection 2031-03"),
        headers=auth(issuer, "academy-vendor", "academy_auditor"),
    )

    assert no_reason.status_code == 422
    assert with_reason.status_code == 200, with_reason.text
    assert await harness.log_size(operator) == before + 1
    log = await client.get(
        f"/v1/audit/operators/{operator}/log",
        params={"after": before - 1},
        headers=auth(issuer, operator, "compliance_officer"),
    )
    assert [e["type"] for e in log.json()["entries"]] == ["academy.support_action.recorded.v1"]


async def test_other_operators_and_other_roles_cannot_export_an_operators_evidence(
    api: tuple[Harness, httpx.AsyncClient, str], issuer: DevIssuer
) -> None:
    harness, client, operator = api
    await _three_days(harness, operator)
    url = f"/v1/audit/operators/{operator}/inspection-bundles"

    foreign = await client.post(
        url, json=_body(), headers=auth(issuer, "op-other", "compliance_officer")
    )
    learner = await client.post(url, json=_body(), headers=auth(issuer, operator, "learner"))
    anonymous = await client.post(url, json=_body())

    assert foreign.status_code == 404
    assert learner.status_code == 403
    assert anonymous.status_code == 401


async def test_a_bundle_range_must_have_ended_and_lie_within_the_log(
    api: tuple[Harness, httpx.AsyncClient, str], issuer: DevIssuer
) -> None:
    harness, client, operator = api
    await _three_days(harness, operator)
    url = f"/v1/audit/operators/{operator}/inspection-bundles"
    officer = auth(issuer, operator, "compliance_officer")

    today = await client.post(url, json=_body(0, 3), headers=officer)
    before_log = await client.post(url, json=_body(-5, 0), headers=officer)

    assert today.status_code == 422
    assert "has ended" in today.json()["detail"]
    assert before_log.status_code == 422
    assert "starts on" in before_log.json()["detail"]


async def test_support_sees_export_runs_and_can_make_a_failed_one_due_now(
    api: tuple[Harness, httpx.AsyncClient, str], issuer: DevIssuer
) -> None:
    harness, client, operator = api
    uploader = harness.wiring.exporter.uploader
    assert isinstance(uploader, RecordingUploader)
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0)
    uploader.failures = [DeliveryError("permission", "permission denied in /archive")] * 3
    harness.clock.set(at(DAY0 + timedelta(days=1), 2))
    await harness.run_pass(operator)
    support = auth(issuer, "academy-vendor", "academy_support")

    listed = await client.get(f"/v1/audit/operators/{operator}/exports", headers=support)
    retried = await client.post(
        f"/v1/audit/operators/{operator}/exports/{DAY0.isoformat()}/retry",
        json={"reason": "archive permissions fixed (ticket 42)"},
        headers=support,
    )
    officer_retry = await client.post(
        f"/v1/audit/operators/{operator}/exports/{DAY0.isoformat()}/retry",
        json={"reason": "please"},
        headers=auth(issuer, operator, "compliance_officer"),
    )
    report = await harness.run_pass(operator)

    [run] = listed.json()["runs"]
    assert (run["status"], run["attempts"], run["failure_reason"]) == ("failed", 3, "permission")
    assert run["last_error"] == "permission denied in /archive"
    assert listed.json()["target"]["host"] == "archive.test"
    assert "private_key_path" not in listed.json()["target"]
    assert retried.status_code == 200, retried.text
    assert officer_retry.status_code == 403
    assert report.delivered == [(operator, DAY0)]
