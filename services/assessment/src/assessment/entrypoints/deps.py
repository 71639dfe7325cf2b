"""What every router shares: the wiring built in `create`, path types, access rules."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPBearer

from academy_runtime import auth
from academy_runtime.auth import Principal
from academy_runtime.service import ServiceRuntime
from academy_runtime.text import ReasonText as ReasonText
from academy_runtime.uow import unit_of_work
from assessment.adapters.unit_of_work import SqlAssessmentUnit
from assessment.domain.attempts import AttemptRules
from assessment.domain.staff import StaffMember
from assessment.service.ports import AssessmentUnit, IdSource
from contracts import identifiers
from contracts.clock import Clock

CROSS_TENANT_ROLES = tuple(sorted(auth.CROSS_TENANT_ROLES))
SUPPORT_ROLES = ("academy_support", "academy_admin")


@dataclass(frozen=True)
class Wiring:
    """Built once per app from Settings; routers reach it through `WiringDep`."""

    runtime: ServiceRuntime
    clock: Clock
    ids: IdSource
    rules: AttemptRules
    public_base_url: str


async def _wiring(request: Request) -> Wiring:  # async: a def dependency costs a thread hop
    wiring: Wiring = request.app.state.assessment
    return wiring


WiringDep = Annotated[Wiring, Depends(_wiring)]
#: A route's unit of work (committed before the response is sent), the runtime's one way.
UowDep = Annotated[AssessmentUnit, unit_of_work(SqlAssessmentUnit)]

#: Documents the bearer scheme in OpenAPI; verification itself is `CurrentPrincipal`'s job.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="PortalBearer",
    description="The portal's Okta access token (JWT, RS256/ES256) for the signed-in user.",
)
BEARER = [Depends(bearer_scheme)]

# Path types: the patterns are the one definition in contracts.identifiers.
OPERATOR_PATTERN = identifiers.OPERATOR_ID_PATTERN
TRACK_KEY_PATTERN = identifiers.TRACK_KEY_PATTERN
ID_PATTERN = identifiers.RECORD_ID_PATTERN
JURISDICTION_PATTERN = identifiers.JURISDICTION_PATTERN

OperatorPath = Annotated[str, Path(pattern=OPERATOR_PATTERN, examples=["op-123"])]
TrackKeyPath = Annotated[
    str,
    Path(
        pattern=TRACK_KEY_PATTERN,
        description="'{jurisdiction}.{role}'",
        examples=["MGA.compliance_officer"],
    ),
]
StaffIdPath = Annotated[
    str, Path(pattern=identifiers.STAFF_ID_PATTERN, examples=["00u1a2b3c4D5e6F7g8h9"])
]


def id_path(example: str) -> object:
    return Path(pattern=ID_PATTERN, examples=[example])


def identity(principal: Principal) -> StaffMember:
    """The staff member a token describes (provisioned just in time by the handlers)."""
    return StaffMember(
        operator_id=principal.operator_id,
        staff_id=principal.staff_id,
        name=principal.name or principal.staff_id,
        email=principal.email,
        roles=principal.roles,
    )
