"""The go-live handler, run against in-memory ports: the bridge's view of each operator."""

from release_bridge_fakes import FakeUnit
from release_bridge_testkit import T0

from contracts.assessment import OperatorJurisdictionsSet
from release_bridge.service import operators


def _set(operator: str, *jurisdictions: str) -> OperatorJurisdictionsSet:
    return OperatorJurisdictionsSet(
        operator_id=operator, jurisdictions=list(jurisdictions), actor="ada.admin", set_at=T0
    )


async def test_an_operators_jurisdictions_replace_its_go_live_set() -> None:
    unit = FakeUnit()

    await operators.jurisdictions_set(unit, _set("op-1", "MGA", "GCB"))
    await operators.jurisdictions_set(unit, _set("op-1", "IOM"))
    await operators.jurisdictions_set(unit, _set("op-2", "MGA"))

    assert await unit.decisions.go_live("op-1") == ["IOM"]
    assert await unit.decisions.operator_ids() == ["op-1", "op-2"]
    assert unit.events.emitted == []


async def test_an_operator_never_set_has_no_go_live_set() -> None:
    unit = FakeUnit()

    await operators.jurisdictions_set(unit, _set("op-1", "MGA"))

    assert await unit.decisions.go_live("op-9") is None
