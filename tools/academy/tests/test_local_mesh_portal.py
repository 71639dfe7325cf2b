"""`academy up` and the reference portal: the sign-in URL comes first, and every service lets the
portal's page call it (CORS), with the settings each process really parses."""

from pathlib import Path

import pytest

from academy.local.mesh import ExternalPortal, Mesh
from academy.local.portal import PortalSettings
from academy.local.ports import Ports
from academy.local.welcome import welcome
from academy.services import SERVICES, ServiceSpec
from academy_runtime.settings import ServiceSettings
from assessment.settings import AssessmentSettings

STAGING_SECRET = "whsec_c3RhZ2luZy1wb3J0YWwtc2VjcmV0LTAwMDAwMDAwMDA="
PORTAL_ORIGINS = ["http://127.0.0.1:9005", "http://localhost:9005"]


def _planned(tmp_path: Path, portal: ExternalPortal | None = None) -> Mesh:
    mesh = Mesh(
        state_dir=tmp_path,
        ports=Ports.from_base(9000, kafka=19999),
        database_url="postgresql://academy@127.0.0.1:5432/academy",
        kafka_bootstrap="127.0.0.1:19999",
        portal=portal,
    )
    mesh.children = {child.name: child for child in mesh.plan()}
    return mesh


def _settings(
    spec: ServiceSpec, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return spec.settings()


def test_up_prints_the_portals_sign_in_url_before_anything_else(tmp_path: Path) -> None:
    mesh = _planned(tmp_path)
    mesh.write_audit_public_keys()

    printed = welcome(mesh, {"portal": 1.0}, {"compliance_officer": "eyJ.token"})

    lines = [line for line in printed.splitlines() if line.strip()]
    assert lines[0] == "Open the portal: http://127.0.0.1:9005/  (sign in as a demo person)"
    assert lines[1].startswith("  demo-operator: Alice Officer (Compliance officer), ")
    assert lines[2] == "  academy-vendor: Sam Support (Academy support, vendor)"
    assert printed.index("Open the portal") < printed.index("Licensing Academy is running")
    assert "/unlocks.html" in printed[printed.index("Where to look:") :]


def test_up_with_another_portal_prints_no_sign_in_page(tmp_path: Path) -> None:
    staging = ExternalPortal("https://portal.staging.example/hooks/academy", STAGING_SECRET)
    mesh = _planned(tmp_path, staging)
    mesh.write_audit_public_keys()

    printed = welcome(mesh, {}, {})

    assert "Open the portal" not in printed
    assert printed.lstrip().startswith("Licensing Academy is running")


@pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])
def test_every_service_of_the_mesh_allows_the_reference_portals_origins(
    spec: ServiceSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mesh = _planned(tmp_path)

    settings = _settings(spec, mesh.children[spec.name].env, monkeypatch)

    assert settings.cors_origins == PORTAL_ORIGINS


def test_with_another_portal_the_services_allow_its_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging = ExternalPortal("https://portal.staging.example/hooks/academy", STAGING_SECRET)
    mesh = _planned(tmp_path, staging)
    assessment = next(spec for spec in SERVICES if spec.name == "assessment")

    settings = _settings(assessment, mesh.children["assessment"].env, monkeypatch)

    assert settings.cors_origins == ["https://portal.staging.example"]


def test_the_portal_gets_tokens_from_the_meshs_issuer_and_embeds_its_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mesh = _planned(tmp_path)
    for name, value in mesh.children["portal"].env.items():
        monkeypatch.setenv(name, value)

    portal = PortalSettings()

    assert portal.oidc_issuer == "http://127.0.0.1:9000"
    assert portal.assessment_url == "http://127.0.0.1:9002"
    assert portal.release_bridge_url == "http://127.0.0.1:9003"
    assert portal.http_port == 9005


def test_certificates_link_to_the_meshs_own_assessment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mesh = _planned(tmp_path)
    assessment = next(spec for spec in SERVICES if spec.name == "assessment")

    settings = _settings(assessment, mesh.children["assessment"].env, monkeypatch)

    assert isinstance(settings, AssessmentSettings)
    assert settings.public_base_url == "http://127.0.0.1:9002"
