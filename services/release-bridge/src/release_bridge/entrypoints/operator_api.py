"""Operator API (compliance officers and admins of the operator; vendor roles: any operator):
the operator's release status per jurisdiction, read-only."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from academy_runtime.auth import (
    OPERATOR_VIEW_ROLES,
    CurrentPrincipal,
    require_operator,
    require_roles,
)
from contracts import identifiers
from contracts.base import UtcDatetime
from contracts.clock import Clock
from release_bridge.adapters.unit_of_work import UowDep
from release_bridge.service import release_status
from release_bridge.service.release_status import DeliveryState, ReleaseHow

OperatorPath = Annotated[str, Path(pattern=identifiers.OPERATOR_ID_PATTERN, examples=["op-123"])]


class _View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Delivery(_View):
    webhook_id: str
    state: DeliveryState = Field(
        description="delivered: the portal acknowledged it; pending: not sent yet; retrying: "
        "failed before, sent again at next_attempt_at; held: waits for the circuit breaker "
        "(the portal refused our signature or is failing); parked: stopped, support is told"
    )
    attempts: int
    next_attempt_at: UtcDatetime | None
    acknowledged_at: UtcDatetime | None = Field(description="when the portal acknowledged it")


class Override(_View):
    actor: str
    reason: str


class Release(_View):
    release_id: str
    decided_at: UtcDatetime
    how: ReleaseHow | None = Field(description="None when the webhook body cannot be read")
    override: Override | None = Field(description="who forced the release, and why")
    tooling: list[str]
    delivery: Delivery


class Revocation(_View):
    revocation_id: str
    decided_at: UtcDatetime
    cause: str | None
    tooling: list[str]
    delivery: Delivery


class JurisdictionRelease(_View):
    jurisdiction: str = Field(examples=["MGA"])
    released: bool = Field(description="the tooling is released now")
    policy_met: bool = Field(description="the release policy was met when last evaluated")
    release: Release | None = Field(description="the latest release; None: never released")
    revocation: Revocation | None = Field(description="the revocation that ended it, if any")


class OperatorReleases(BaseModel):
    operator_id: str
    checked_at: UtcDatetime
    jurisdictions: list[JurisdictionRelease] = Field(
        description="every jurisdiction the bridge has decided on for the operator; empty "
        "until the first decision"
    )


def operator_router(*, endpoint: str, clock: Clock) -> APIRouter:
    router = APIRouter(
        prefix="/v1/operators/{operator_id}",
        tags=["operator views"],
        dependencies=[require_roles(*OPERATOR_VIEW_ROLES)],
    )

    @router.get(
        "/releases",
        response_model=OperatorReleases,
        summary="Release status per jurisdiction: released or not, how, and its delivery",
    )
    async def releases(
        operator_id: OperatorPath, principal: CurrentPrincipal, unit: UowDep
    ) -> OperatorReleases:
        require_operator(principal, operator_id)
        now: datetime = clock()
        found = await release_status.operator_releases(
            unit.history, operator_id=operator_id, endpoint=endpoint
        )
        return OperatorReleases(
            operator_id=operator_id,
            checked_at=now,
            jurisdictions=[JurisdictionRelease.model_validate(item) for item in found],
        )

    return router
