"""Breaker state changes inside a transaction: persist, announce, and re-drive held deliveries."""

import logging
from datetime import datetime
from typing import Literal

from contracts import topics
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.domain.breaker_state import Admission, BreakerUpdate, Transition
from release_bridge.service.ports import Unit

log = logging.getLogger(__name__)

ManualAction = Literal["force_open", "force_closed", "reset"]


async def apply_update(unit: Unit, update: BreakerUpdate, *, now: datetime) -> list[Transition]:
    """Store the state; every transition becomes an event and a log line.

    Entering `closed` (probes succeeded, forced closed, reset) re-drives deliveries held after
    signature rejections, so fixing the secret and closing the breaker delivers everything.
    """
    await unit.breakers.save(update.state)
    for transition in update.transitions:
        await unit.events.emit(
            transition.to_event(), tenant=topics.PLATFORM_TENANT, subject=transition.endpoint
        )
        redriven = 0
        if transition.to_state == "closed":
            redriven = await unit.deliveries.redrive_held(transition.endpoint, now=now)
        log_transition(transition, redriven)
    return list(update.transitions)


def log_transition(transition: Transition, redriven: int) -> None:
    log.warning(
        "breaker %s: %s -> %s (%s)",
        transition.endpoint,
        transition.from_state,
        transition.to_state,
        transition.cause.value,
        extra={
            "endpoint": transition.endpoint,
            "from_state": transition.from_state,
            "to_state": transition.to_state,
            "cause": transition.cause.value,
            "actor": transition.actor,
            "reason": transition.reason,
            "redriven_held": redriven,
        },
    )


async def admit(
    unit: Unit, breaker: CircuitBreaker, endpoint: str, *, now: datetime
) -> tuple[Admission, list[Transition]]:
    """Ask the endpoint's breaker whether a call may go out (a probe slot in half-open)."""
    state = await unit.breakers.lock(endpoint)
    admission, update = breaker.acquire(state)
    if update.state == state and not update.transitions:
        return admission, []  # a closed breaker admits without a change to store
    return admission, await apply_update(unit, update, now=now)


async def give_back_probe(
    unit: Unit, breaker: CircuitBreaker, endpoint: str, *, now: datetime
) -> None:
    state = await unit.breakers.lock(endpoint)
    update = breaker.release_probe(state)
    if update.state != state or update.transitions:
        await apply_update(unit, update, now=now)


async def manual(
    unit: Unit,
    breaker: CircuitBreaker,
    endpoint: str,
    action: ManualAction,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> list[Transition]:
    state = await unit.breakers.lock(endpoint)
    match action:
        case "force_open":
            update = breaker.force_open(state, actor=actor, reason=reason)
        case "force_closed":
            update = breaker.force_closed(state, actor=actor, reason=reason)
        case "reset":
            update = breaker.reset(state, actor=actor, reason=reason)
    return await apply_update(unit, update, now=now)
