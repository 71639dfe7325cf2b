"""The AsyncAPI document's produce/consume map matches what each service really wires."""

from academy.local.portal import PortalSettings
from academy.local.portal import create as create_portal
from academy.services import SERVICES
from contracts.asyncapi import SERVICE_IO


def test_asyncapi_service_topics_match_the_running_code() -> None:
    import importlib

    for spec in SERVICES:
        module = importlib.import_module(f"{spec.settings.__module__.rsplit('.', 1)[0]}.app")
        _, runtime = module.create(spec.settings(environment="test"))
        consumed = sorted({t for c in runtime.consumers for t in c.topics})
        assert sorted(runtime.produces) == sorted(SERVICE_IO[spec.name]["produces"]), spec.name
        assert consumed == sorted(SERVICE_IO[spec.name]["consumes"]), spec.name
    _, portal = create_portal(PortalSettings(environment="test"))
    assert portal.produces == SERVICE_IO["portal"]["produces"]


def test_each_service_handles_exactly_the_types_contracts_mesh_declares() -> None:
    import importlib

    from contracts import EVENT_MODELS
    from contracts.mesh import PARTICIPANTS

    declared = {p.name: p for p in PARTICIPANTS}
    for spec in SERVICES:
        module = importlib.import_module(f"{spec.settings.__module__.rsplit('.', 1)[0]}.app")
        _, runtime = module.create(spec.settings(environment="test"))
        consumes = {c.name: c for c in declared[spec.name].consumes}
        assert sorted(c.name for c in runtime.consumers) == sorted(consumes), spec.name
        for consumer in runtime.consumers:
            handled = {m.ce_type for m in EVENT_MODELS if consumer.routes.handles(m.ce_type)}
            assert handled == {m.ce_type for m in consumes[consumer.name].types}, consumer.name
            assert consumer.topics == list(consumes[consumer.name].topics)


def test_the_release_bridge_acts_on_certificates_and_operators_only() -> None:
    import json

    from contracts.asyncapi import render

    operation = json.loads(render())["operations"]["release-bridge_receive_academy_assessment_v1"]
    acted_on = sorted(ref["$ref"].rsplit("/", 1)[1] for ref in operation["messages"])
    assert acted_on == [
        "academy_certification_expired_v1",
        "academy_certification_expiring_v1",
        "academy_certification_issued_v1",
        "academy_certification_revoked_v1",
        "academy_operator_jurisdictions_set_v1",
    ]
