"""The local mesh's layout: ports, which portal the bridge delivers to, and what `up` prints."""

from pathlib import Path

import pytest

from academy.local.mesh import DEMO_OPERATOR, ExternalPortal, Mesh
from academy.local.portal import unlocks_page
from academy.local.ports import Ports
from academy.local.welcome import where_to_look
from academy_runtime.cli import PORT_OFFSETS, local_port
from auditpack.public_keys import load_trusted_keys

STAGING_SECRET = "whsec_c3RhZ2luZy1wb3J0YWwtc2VjcmV0LTAwMDAwMDAwMDA="


def _planned(tmp_path: Path, **options: object) -> Mesh:
    mesh = Mesh(
        state_dir=tmp_path,
        ports=Ports.from_base(9000, kafka=19999),
        database_url="postgresql://academy@127.0.0.1:5432/academy",
        kafka_bootstrap="127.0.0.1:19999",
        **options,  # type: ignore[arg-type]
    )
    mesh.children = {child.name: child for child in mesh.plan()}
    return mesh


def test_the_mesh_listens_where_the_cli_defaults_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACADEMY_BASE_PORT", "9000")
    ports = Ports.from_base(9000, kafka=19999)

    for component in PORT_OFFSETS:
        assert getattr(ports, component.replace("-", "_")) == local_port(component)


def test_the_bridge_delivers_to_the_reference_portal_by_default(tmp_path: Path) -> None:
    mesh = _planned(tmp_path)

    bridge = mesh.children["release-bridge"].env
    assert "portal" in mesh.children
    assert bridge["RELEASE_BRIDGE_PORTAL_WEBHOOK_URL"] == "http://127.0.0.1:9005/webhooks/academy"


def test_another_portal_replaces_the_reference_one(tmp_path: Path) -> None:
    staging = ExternalPortal("https://portal.staging.example/hooks/academy", STAGING_SECRET)

    mesh = _planned(tmp_path, portal=staging)

    bridge = mesh.children["release-bridge"].env
    assert "portal" not in mesh.children
    assert bridge["RELEASE_BRIDGE_PORTAL_WEBHOOK_URL"] == staging.webhook_url
    assert bridge["RELEASE_BRIDGE_PORTAL_WEBHOOK_SECRET"] == STAGING_SECRET
    assert STAGING_SECRET not in repr(staging)


def test_up_ends_with_the_portal_the_packs_their_key_and_the_clocks(tmp_path: Path) -> None:
    mesh = _planned(tmp_path)
    keys = mesh.write_audit_public_keys()

    lines = where_to_look(mesh)

    text = "\n".join(lines)
    assert lines[0] == "Where to look:"
    assert lines[1].split()[:2] == ["portal", "http://127.0.0.1:9005/"]
    assert f"{tmp_path}/sftp/archive/{DEMO_OPERATOR}/" in text
    assert f"academy audit verify PACK --public-key {keys}" in text
    assert "for port in 9001 9002 9003 9004 9005;" in text
    assert "/_dev/clock" in text
    assert lines[-1].endswith("Press Ctrl-C to stop everything.")
    assert load_trusted_keys(str(keys))


def test_up_with_another_portal_names_it_instead(tmp_path: Path) -> None:
    staging = ExternalPortal("https://portal.staging.example/hooks/academy", STAGING_SECRET)
    mesh = _planned(tmp_path, portal=staging)

    text = "\n".join(where_to_look(mesh))

    assert staging.webhook_url in text
    assert STAGING_SECRET not in text
    assert "for port in 9001 9002 9003 9004;" in text


def test_the_portal_page_shows_tooling_as_names_escaped() -> None:
    row = {
        "operator_id": "op-1",
        "jurisdiction": "MGA",
        "tooling": ["mga-reporting", "<script>x</script>"],
        "state": "unlocked",
        "reason": "policy_met",
        "unlocked_at": "2026-11-24T10:00:00+00:00",
        "deliveries": 1,
    }

    page = unlocks_page([row])

    assert "<td>mga-reporting, &lt;script&gt;x&lt;/script&gt;</td>" in page
    assert "[" not in page
    assert "<script>" not in page
