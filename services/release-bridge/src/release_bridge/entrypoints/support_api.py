"""Support API (role academy_support): overrides with a required reason, recorded with the actor."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import AwareDatetime, Field

from academy_runtime.auth import Principal, require_roles
from academy_runtime.bodies import RequestBody
from academy_runtime.errors import ErrorBody
from academy_runtime.input_guard import invalid_request_body
from academy_runtime.text import ReasonText
from contracts import identifiers
from contracts.clock import Clock
from contracts.identifiers import JurisdictionCode, OperatorId
from release_bridge.adapters.metrics import BridgeMetrics
from release_bridge.adapters.unit_of_work import UowDep
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.service import support
from release_bridge.service.breakers import ManualAction
from release_bridge.service.errors import (
    Conflict,
    NotFound,
    OutsideGoLive,
    UnknownOperator,
    Unpublished,
)
from release_bridge.service.releases import DecisionContext

SUPPORT_ROLE = "academy_support"
BreakerAction = Literal["force-open", "force-closed", "reset"]
SupportUser = Annotated[Principal, require_roles(SUPPORT_ROLE)]
WebhookIdPath = Annotated[
    str, Path(pattern=identifiers.RECORD_ID_PATTERN, description="webhook id (= release id)")
]
OperatorFilter = Annotated[str | None, Query(pattern=identifiers.OPERATOR_ID_PATTERN)]
MANUAL_ACTIONS: dict[str, ManualAction] = {
    "force-open": "force_open",
    "force-closed": "force_closed",
    "reset": "reset",
}


class ForceRelease(RequestBody):
    operator_id: OperatorId = Field(description="an operator with go-live jurisdictions set")
    jurisdiction: JurisdictionCode = Field(description="a jurisdiction with a published policy")
    reason: ReasonText
    outside_go_live: bool = Field(
        default=False,
        description="release a jurisdiction that is not one of the operator's go-live "
        "jurisdictions (refused with 409 otherwise); audited as force_release_outside_go_live",
    )


class WithReason(RequestBody):
    reason: ReasonText


class Replay(RequestBody):
    since: AwareDatetime
    until: AwareDatetime
    operator_id: OperatorId | None = Field(default=None, description="a known operator only")
    reason: ReasonText


def support_router(
    *, breaker: CircuitBreaker, endpoint: str, clock: Clock, metrics: BridgeMetrics
) -> APIRouter:
    router = APIRouter(prefix="/v1/support", tags=["support"])

    @router.post(
        "/releases",
        status_code=201,
        summary="Force-release tooling (manual override)",
        description="404 (with did_you_mean) for an operator without go-live jurisdictions, "
        "422 (listing the published ones) for a jurisdiction without a published release "
        "policy, 409 outside the operator's go-live jurisdictions unless outside_go_live.",
    )
    async def force_release(body: ForceRelease, user: SupportUser, unit: UowDep) -> dict[str, Any]:
        async with _errors():
            release_id = await support.force_release(
                unit,
                DecisionContext(endpoint=endpoint, now=clock()),
                operator_id=body.operator_id,
                jurisdiction=body.jurisdiction,
                actor=user.actor,
                reason=body.reason,
                outside_go_live=body.outside_go_live,
            )
        metrics.support_action("force_release")
        return {
            "release_id": release_id,
            "reason": "manual_override",
            "actor": user.actor,
            "outside_go_live": body.outside_go_live,
        }

    @router.post("/deliveries/{webhook_id}/redeliver", summary="Send a delivery again now")
    async def redeliver(
        webhook_id: WebhookIdPath, body: WithReason, user: SupportUser, unit: UowDep
    ) -> dict[str, Any]:
        async with _errors():
            record = await support.redeliver(
                unit, webhook_id=webhook_id, actor=user.actor, reason=body.reason, now=clock()
            )
        metrics.support_action("redeliver")
        return {"webhook_id": record.webhook_id, "status": record.status, "actor": user.actor}

    @router.post("/replays", summary="Queue again every webhook decided in a time range")
    async def replay(body: Replay, user: SupportUser, unit: UowDep) -> dict[str, Any]:
        async with _errors():
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
        name: str, action: BreakerAction, body: WithReason, user: SupportUser, unit: UowDep
    ) -> dict[str, Any]:
        if name != endpoint:
            raise HTTPException(404, f"no breaker {name!r}; this bridge serves {endpoint!r}")
        manual = MANUAL_ACTIONS[action]
        transitions = await support.breaker_action(
            unit, breaker, endpoint, manual, actor=user.actor, reason=body.reason, now=clock()
        )
        metrics.transitioned(transitions)
        metrics.support_action(f"breaker_{manual}")
        last = transitions[-1]
        return {"endpoint": endpoint, "from": last.from_state, "to": last.to_state}

    @router.get("/breakers", summary="Breaker state per endpoint")
    async def list_breakers(_: SupportUser, unit: UowDep) -> list[dict[str, Any]]:
        return await unit.reads.breakers()

    @router.get("/deliveries", summary="Deliveries, newest first")
    async def list_deliveries(
        _: SupportUser,
        unit: UowDep,
        status: Literal["pending", "held", "parked", "delivered"] | None = None,
        operator_id: OperatorFilter = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        return await unit.reads.deliveries(
            endpoint=endpoint, status=status, operator_id=operator_id, limit=limit
        )

    @router.get("/deliveries/{webhook_id}", summary="One delivery with every attempt")
    async def get_delivery(
        webhook_id: WebhookIdPath, _: SupportUser, unit: UowDep
    ) -> dict[str, Any]:
        found = await unit.reads.delivery(webhook_id)
        if found is None:
            raise HTTPException(404, f"no delivery with webhook id {webhook_id}")
        return found

    return router


class _errors:
    """Map the service layer's errors to HTTP answers that say what to do."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: Any, tb: Any) -> bool:
        if isinstance(exc, UnknownOperator):
            raise HTTPException(404, exc.body) from exc
        if isinstance(exc, NotFound):
            raise HTTPException(404, str(exc)) from exc
        if isinstance(exc, OutsideGoLive):
            body = ErrorBody(
                error="conflict", reason="outside_go_live", detail=str(exc), go_live=exc.go_live
            )
            raise HTTPException(409, body.body()) from exc
        if isinstance(exc, Conflict):
            raise HTTPException(409, str(exc)) from exc
        if isinstance(exc, Unpublished):
            problems = [{"field": "jurisdiction", "problem": str(exc)}]
            invalid = invalid_request_body(problems)
            raise HTTPException(422, {**invalid, "published": exc.published}) from exc
        if isinstance(exc, ValueError):
            raise HTTPException(
                422, invalid_request_body([{"field": "body", "problem": str(exc)}])
            ) from exc
        return False
