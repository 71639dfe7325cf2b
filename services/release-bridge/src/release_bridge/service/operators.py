"""Keep the bridge's own view of which jurisdictions each operator is going live in."""

from contracts.assessment import OperatorJurisdictionsSet
from release_bridge.service.ports import Unit


async def jurisdictions_set(unit: Unit, data: OperatorJurisdictionsSet) -> None:
    await unit.decisions.set_go_live(data.operator_id, list(data.jurisdictions), at=data.set_at)
