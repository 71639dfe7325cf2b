"""Manual overrides for the support team; each needs a reason and becomes an audit event."""

from dataclasses import replace
from datetime import datetime

from contracts import topics
from release_bridge.domain import decisions
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.domain.breaker_state import Transition
from release_bridge.service import breakers
from release_bridge.service.errors import (
    Conflict,
    NotFound,
    OutsideGoLive,
    UnknownOperator,
    Unpublished,
)
from release_bridge.service.events import support_event
from release_bridge.service.ports import DeliveryRecord, SupportAction, Unit
from release_bridge.service.releases import DecisionContext, apply_outcome


async def record_action(unit: Unit, action: SupportAction) -> None:
    """Keep the action in the bridge's log and stage it as an audit event, in one transaction."""
    if not action.actor.strip() or not action.reason.strip():
        raise ValueError("a support action needs an actor and a reason")
    await unit.support.record(action)
    await unit.events.emit(
        support_event(action),
        tenant=action.operator_id or topics.PLATFORM_TENANT,
        subject=action.target,
    )


async def known_go_live(unit: Unit, operator_id: str) -> list[str]:
    """The operator's go-live set; unknown = assessment never set one for it (UnknownOperator)."""
    go_live = await unit.decisions.go_live(operator_id)
    if go_live is None:
        raise UnknownOperator(operator_id, await unit.decisions.operator_ids())
    return go_live


async def force_release(
    unit: Unit,
    ctx: DecisionContext,
    *,
    operator_id: str,
    jurisdiction: str,
    actor: str,
    reason: str,
    outside_go_live: bool = False,
) -> str:
    """Release tooling by hand (reason `manual_override`); returns the release id.

    Outside the operator's go-live jurisdictions only with `outside_go_live`, and then the
    support action is `force_release_outside_go_live`.
    """
    go_live = await known_go_live(unit, operator_id)
    policy = await unit.decisions.policy(jurisdiction)
    if policy is None:
        raise Unpublished(jurisdiction, await unit.decisions.published_jurisdictions())
    outside = jurisdiction not in go_live
    if outside and not outside_go_live:
        raise OutsideGoLive(operator_id, jurisdiction, go_live)
    ledger = await unit.decisions.lock_ledger(operator_id, jurisdiction)
    certificates = await unit.decisions.certificates(operator_id, jurisdiction)
    outcome = decisions.force_release(
        ledger, policy, certificates, actor=actor, reason=reason, now=ctx.now
    )
    if outcome.release is None:
        raise Conflict(
            f"tooling is already released for {operator_id} in {jurisdiction} "
            f"(release {ledger.release_id}); redeliver that release instead"
        )
    await apply_outcome(unit, ctx, outcome, triggered_at=ctx.now)
    release_id = outcome.release.release_id
    await record_action(
        unit,
        SupportAction(
            action="force_release_outside_go_live" if outside else "force_release",
            actor=actor,
            reason=reason,
            at=ctx.now,
            operator_id=operator_id,
            target=release_id,
            details={
                "jurisdiction": jurisdiction,
                "epoch": str(outcome.ledger.epoch),
                "go_live": ",".join(go_live),
                "outside_go_live": str(outside).lower(),
            },
        ),
    )
    return release_id


async def redeliver(
    unit: Unit, *, webhook_id: str, actor: str, reason: str, now: datetime
) -> DeliveryRecord:
    """Send a parked, held or failing delivery again now, with a fresh retry window."""
    record = await unit.deliveries.lock(webhook_id)
    if record is None:
        raise NotFound(f"no delivery with webhook id {webhook_id}")
    if record.status == "delivered":
        raise Conflict(
            f"delivery {webhook_id} was acknowledged at {record.delivered_at}; "
            "use replay to send delivered webhooks again"
        )
    updated = replace(
        record,
        status="pending",
        next_attempt_at=now,
        window_started_at=now,
        window_attempts=0,
        claim_id=None,
        stop_cause=None,
    )
    await unit.deliveries.save(updated)
    await record_action(
        unit,
        SupportAction(
            action="redeliver",
            actor=actor,
            reason=reason,
            at=now,
            operator_id=record.operator_id,
            target=webhook_id,
            details={"previous_status": record.status, "webhook_type": record.webhook_type},
        ),
    )
    return updated


async def replay(
    unit: Unit,
    *,
    endpoint: str,
    since: datetime,
    until: datetime,
    operator_id: str | None,
    actor: str,
    reason: str,
    now: datetime,
) -> list[str]:
    """Queue again every webhook decided in [since, until), delivered ones included."""
    if until <= since:
        raise ValueError("the replay range must end after it starts")
    if operator_id is not None:
        await known_go_live(unit, operator_id)
    ids = await unit.deliveries.requeue_range(
        endpoint=endpoint, since=since, until=until, operator_id=operator_id, now=now
    )
    await record_action(
        unit,
        SupportAction(
            action="replay",
            actor=actor,
            reason=reason,
            at=now,
            operator_id=operator_id,
            target=endpoint,
            details={
                "since": since.isoformat(),
                "until": until.isoformat(),
                "deliveries": str(len(ids)),
            },
        ),
    )
    return ids


async def breaker_action(
    unit: Unit,
    breaker: CircuitBreaker,
    endpoint: str,
    action: breakers.ManualAction,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> list[Transition]:
    """Force the endpoint's breaker open or closed, or reset it (closing re-drives held)."""
    transitions = await breakers.manual(
        unit, breaker, endpoint, action, actor=actor, reason=reason, now=now
    )
    moved = transitions[-1] if transitions else None
    await record_action(
        unit,
        SupportAction(
            action=f"breaker_{action}",
            actor=actor,
            reason=reason,
            at=now,
            target=endpoint,
            details={"from": moved.from_state, "to": moved.to_state} if moved else {},
        ),
    )
    return transitions
