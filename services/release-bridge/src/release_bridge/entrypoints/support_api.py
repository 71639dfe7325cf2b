"""Support API (role academy_support): overrides with a required reason, recorded with the actor."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import AwareDatetime, BaseModel, StringConstraints

from academy_runtime.auth import Principal, require_roles
from contracts.base import JurisdictionCode, OperatorId
from release_bridge.adapters import read_models
from release_bridge.adapters.metrics import BridgeMetrics
from release_bridge.adapters.unit_of_work import Units
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.service import support
from release_bridge.service.breakers import ManualAction
from release_bridge.service.errors import Conflict, NotFound
from release_bridge.service.ports import Clock
from release_bridge.service.releases import Context

SUPPORT_ROLE = "academy_support"
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
BreakerAction = Literal["force-open", "force-closed", "reset"]
SupportUser = Annotated[Principal, require_roles(SUPPORT_ROLE)]
MANUAL_ACTIONS: dict[str, ManualAction] = {
    "force-open": "force_open",
    "force-closed": "force_closed",
    "reset": "reset",
}


class ForceRelease(BaseModel):
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    reason: Reason


class WithReason(BaseModel):
    reason: Reason


class Replay(BaseModel):
    since: AwareDatetime
    until: AwareDatetime
    operator_id: OperatorId | None = None
    reason: Reason


def support_router(
    *, units: Units, breaker: CircuitBreaker, endpoint: str, clock: Clock, metrics: BridgeMetrics
) -> APIRouter:
    router = APIRouter(prefix="/v1/support", tags=["support"])

    @router.post("/releases", status_code=201, summary="Force-release tooling (manual override)")
    async def force_release(body: ForceRelease, user: SupportUser) -> dict[str, str]:
        async with _errors(), units() as unit:
            release_id = await support.force_release(
                unit,
                Context(endpoint=endpoint, now=clock()),
                operator_id=body.operator_id,
                jurisdiction=body.jurisdiction,
                actor=user.actor,
                reason=body.reason,
            )
        metrics.support_action("force_release")
        return {"release_id": release_id, "reason": "manual_override", "actor": user.actor}

    @router.post("/deliveries/{webhook_id}/redeliver", summary="Send a delivery again now")
    async def redeliver(webhook_id: str, body: WithReason, user: SupportUser) -> dict[str, Any]:
        async with _errors(), units() as unit:
            record = await support.redeliver(
                unit, webhook_id=webhook_id, actor=user.actor, reason=body.reason, now=clock()
            )
        metrics.support_action("redeliver")
        return {"webhook_id": record.webhook_id, "status": record.status, "actor": user.actor}

    @router.post("/replays", summary="Queue again every webhook decided in a time range")
    async def replay(body: Replay, user: SupportUser) -> dict[str, Any]:
        async with _errors(), units() as unit:
            ids = await support.replay(
                unit,
                endpoint=endpoint,
                since=body.since,
                until=body.until,
                operator_id=body.operator_id,
                actor=user.actor,
                reason=body.reason,
                now=clock(),
            )
        metrics.support_action("replay")
        return {"count": len(ids), "webhook_ids": ids, "actor": user.actor}

    @router.post("/breakers/{name}/{action}", summary="Force the breaker open or closed, or reset")
    async def breaker_action(
        name: str, action: BreakerAction, body: WithReason, user: SupportUser
    ) -> dict[str, Any]:
        if name != endpoint:
            raise HTTPException(404, f"no breaker {name!r}; this bridge serves {endpoint!r}")
        manual = MANUAL_ACTIONS[action]
        async with units() as unit:
            transitions = await support.breaker_action(
                unit, breaker, endpoint, manual, actor=user.actor, reason=body.reason, now=clock()
            )
        metrics.transitioned(transitions)
        metrics.support_action(f"breaker_{manual}")
        last = transitions[-1]
        return {"endpoint": endpoint, "from": last.from_state, "to": last.to_state}

    @router.get("/breakers", summary="Breaker state per endpoint")
    async def list_breakers(_: SupportUser) -> list[dict[str, Any]]:
        async with units() as unit:
            return await read_models.breaker_states(unit.session)

    @router.get("/deliveries", summary="Deliveries, newest first")
    async def list_deliveries(
        _: SupportUser,
        status: Literal["pending", "held", "parked", "delivered"] | None = None,
        operator_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        async with units() as unit:
            return await read_models.list_deliveries(
                unit.session,
                endpoint=endpoint,
                status=status,
                operator_id=operator_id,
                limit=limit,
            )

    @router.get("/deliveries/{webhook_id}", summary="One delivery with every attempt")
    async def get_delivery(webhook_id: str, _: SupportUser) -> dict[str, Any]:
        async with units() as unit:
            found = await read_models.delivery_with_attempts(unit.session, webhook_id)
        if found is None:
            raise HTTPException(404, f"no delivery with webhook id {webhook_id}")
        return found

    return router


class _errors:
    """Map the service layer's errors to HTTP answers that say what to do."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: Any, tb: Any) -> bool:
        if isinstance(exc, NotFound):
            raise HTTPException(404, str(exc)) from exc
        if isinstance(exc, Conflict):
            raise HTTPException(409, str(exc)) from exc
        if isinstance(exc, ValueError):
            raise HTTPException(422, str(exc)) from exc
        return False
