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
