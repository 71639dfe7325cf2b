"""The service clock: real UTC time, shiftable forward in local/test mode for demos and tests.

Production never shifts (the dev endpoint is not mounted outside local mode).
"""

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field


class ShiftableClock:
    """Real UTC time plus `offset` (moved only by the local-mode dev endpoint); a `Clock`."""

    def __init__(self, *, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def __call__(self) -> datetime:
        return self.now()


class ClockShift(BaseModel):
    offset_seconds: float = Field(ge=0, le=10 * 365 * 24 * 3600, examples=[86_400 * 500])


def dev_router() -> APIRouter:
    """`GET/PUT /_dev/clock`: shift this service's clock (local/test mode only)."""
    router = APIRouter(prefix="/_dev", tags=["development"], include_in_schema=False)

    @router.get("/clock")
    async def read(request: Request) -> dict[str, object]:
        clock: ShiftableClock = request.app.state.runtime.clock
        return {"now": clock.now().isoformat(), "offset_seconds": clock.offset.total_seconds()}

    @router.put("/clock")
    async def shift(body: ClockShift, request: Request) -> dict[str, object]:
        runtime = request.app.state.runtime
        if not runtime.settings.is_local:
            raise HTTPException(404, "not found")
        runtime.clock.offset = timedelta(seconds=body.offset_seconds)
        return await read(request)

    return router
