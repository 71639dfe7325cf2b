"""Test data builders and a controllable clock for the release-bridge unit tests."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from contracts.assessment import TrainingState
from contracts.common import ModuleCompletion, ReleasePolicy, RoleRequirement, TrainingRecord
from release_bridge.domain.classify import DeliveryOutcome, TransportErrorKind
from release_bridge.domain.policy import HeldCertificate

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
EIGHTEEN_MONTHS = timedelta(days=548)


@dataclass
class FakeClock:
    """A clock that only moves when a test moves it."""

    now: datetime = field(default=T0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


def a_policy(
    *,
    jurisdiction: str = "MGA",
    roles: dict[str, int] | None = None,
    revoke_on_lapse: bool = False,
    tooling: tuple[str, ...] = ("mga-licensing-suite",),
) -> ReleasePolicy:
    wanted = roles if roles is not None else {"compliance_officer": 1}
    return ReleasePolicy(
        jurisdiction=jurisdiction,
        requirements=[RoleRequirement(role=role, count=count) for role, count in wanted.items()],
        tooling=list(tooling),
        revoke_on_lapse=revoke_on_lapse,
    )


def a_certificate(
    certificate_id: str = "cert-1",
    *,
    staff_id: str = "staff-1",
    role: str = "compliance_officer",
    jurisdiction: str = "MGA",
    track_version: str = "mga-2026.1",
    passed_at: datetime = T0 - timedelta(days=1),
    expires_at: datetime | None = None,
    revoked: bool = False,
    training: TrainingRecord | None = None,
) -> HeldCertificate:
    return HeldCertificate(
        certificate_id=certificate_id,
        staff_id=staff_id,
        role=role,
        jurisdiction=jurisdiction,
        track_version=track_version,
        passed_at=passed_at,
        expires_at=expires_at if expires_at is not None else passed_at + EIGHTEEN_MONTHS,
        revoked=revoked,
        training=training,
    )


def a_training_record(
    completed: dict[str, datetime] | None = None, *, required: tuple[str, ...] = ("aml", "kyc")
) -> TrainingRecord:
    """What a track version required and what was completed when; by default all, a day ago."""
    done = completed if completed is not None else dict.fromkeys(required, T0 - timedelta(days=1))
    return TrainingRecord(
        modules_required=list(required),
        modules_completed=[
            ModuleCompletion(module_id=m, completed_at=at) for m, at in done.items()
        ],
    )


def a_training_state(
    record: TrainingRecord, *, jurisdiction: str = "MGA", role: str = "compliance_officer"
) -> TrainingState:
    """A holder's standing on the track as a certificate event carries it."""
    return TrainingState(
        staff_name="Alice Officer",
        staff_email="alice@op.example",
        jurisdiction=jurisdiction,
        regulator="Malta Gaming Authority",
        role=role,
        track_key=f"{jurisdiction}.{role}",
        track_title="MGA compliance officer",
        track_version="mga-2026.1",
        modules_required=record.modules_required,
        modules_completed=record.modules_completed,
        attempts=1,
        best_score=90,
        pass_mark=80,
        result="pass",
    )


def a_response(
    status: int,
    *,
    latency: timedelta = timedelta(milliseconds=50),
    retry_after: timedelta | None = None,
    excerpt: str = "",
) -> DeliveryOutcome:
    return DeliveryOutcome(
        status_code=status, latency=latency, retry_after=retry_after, response_excerpt=excerpt
    )


def a_network_failure(
    kind: TransportErrorKind = "timeout", *, latency: timedelta = timedelta(seconds=10)
) -> DeliveryOutcome:
    return DeliveryOutcome(
        status_code=None, latency=latency, error=f"{kind} failure", error_kind=kind
    )
