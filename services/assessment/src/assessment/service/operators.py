"""Operator administration: which jurisdictions an operator is going live in.

An operator is known to assessment once its go-live jurisdictions were set or one of its staff
signed in; a jurisdiction is published once the catalogue published a track for it.
"""

from collections.abc import Sequence
from datetime import datetime

from academy_runtime import suggest
from assessment.service.ports import AssessmentUnit
from contracts.assessment import OperatorJurisdictionsSet

#: What makes an operator known, for the vendor staff member who named one assessment is not.
OPERATOR_HINT = (
    "assessment knows an operator once its staff signed in or its go-live jurisdictions were "
    'set; to onboard a brand-new operator, send "new_operator": true'
)
#: Prefix of the event's reason when a vendor admin onboards an operator nobody had seen.
ONBOARDING = "new operator onboarded"


class UnknownOperator(suggest.UnknownName):
    """An operator assessment has never seen (`body` is the 404 with suggestions)."""

    kind = "operator"
    hint = OPERATOR_HINT


class Unpublished(ValueError):
    """Go-live jurisdictions the catalogue has published no track for."""

    def __init__(self, jurisdictions: Sequence[str], published: Sequence[str]) -> None:
        self.published = list(published)
        listed = ", ".join(self.published) or "none yet"
        self.problems = [
            {
                "field": f"jurisdictions.{index}",
                "problem": f"{code!r} is not published by the catalogue; published: {listed}",
            }
            for index, code in enumerate(jurisdictions)
            if code not in self.published
        ]
        super().__init__("; ".join(problem["problem"] for problem in self.problems))


async def require_known(uow: AssessmentUnit, operator_id: str) -> None:
    """Refuse an operator assessment has never seen (UnknownOperator, with suggestions)."""
    if not await uow.operators.is_known(operator_id):
        raise UnknownOperator(operator_id, await uow.operators.known_ids())


async def set_jurisdictions(
    *,
    uow: AssessmentUnit,
    operator_id: str,
    jurisdictions: list[str],
    actor: str,
    reason: str | None,
    now: datetime,
    vouched: bool = False,
    new_operator: bool = False,
) -> bool:
    """Store the operator's jurisdictions; emits an event only when they change.

    The operator must be known unless the caller's token vouches for it (`vouched`: its own
    operator admin) or a vendor admin onboards it (`new_operator`, recorded in the reason).
    Every jurisdiction must be published.
    """
    wanted = sorted(set(jurisdictions))
    known = await uow.operators.is_known(operator_id)
    if not (known or vouched or new_operator):
        raise UnknownOperator(operator_id, await uow.operators.known_ids())
    published = await uow.tracks.published_jurisdictions()
    if not set(wanted) <= set(published):
        raise Unpublished(jurisdictions, published)
    current = await uow.operators.go_live(operator_id, lock=True)
    if current is not None and sorted(current) == wanted:
        return False
    await uow.operators.save_go_live(operator_id, wanted, actor=actor, now=now)
    if new_operator and not known:
        reason = f"{ONBOARDING}: {reason}" if reason else ONBOARDING
    data = OperatorJurisdictionsSet(
        operator_id=operator_id, jurisdictions=wanted, actor=actor, reason=reason, set_at=now
    )
    await uow.events.emit(data, tenant=operator_id, subject=operator_id)
    return True


async def get_jurisdictions(uow: AssessmentUnit, operator_id: str) -> list[str] | None:
    return await uow.operators.go_live(operator_id)
