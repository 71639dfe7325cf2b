"""Release and revocation decisions per operator and jurisdiction, one release per epoch."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final, Literal

from contracts.common import Override, ReleasePolicy
from contracts.release import ReleaseDecided, ToolingRevocationDecided
from contracts.webhooks import (
    CertificationExpiredNotice,
    CertificationExpiringNotice,
    CertificationNoticeData,
)
from release_bridge.domain.policy import (
    HeldCertificate,
    PolicyEvaluation,
    evaluate_policy,
    required_counts,
)

#: Namespace of every id the bridge derives, so replicas and retries compute the same ids.
ID_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://licensing-academy/release-bridge")

NoticeKind = Literal["expiring", "expired"]
NoticeWebhook = CertificationExpiringNotice | CertificationExpiredNotice


def release_id_for(operator_id: str, jurisdiction: str, epoch: int) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"release/{operator_id}/{jurisdiction}/{epoch}"))


def revocation_id_for(operator_id: str, jurisdiction: str, epoch: int) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"revocation/{operator_id}/{jurisdiction}/{epoch}"))


def notice_id_for(operator_id: str, certificate_id: str, kind: NoticeKind) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"notice/{kind}/{operator_id}/{certificate_id}"))


@dataclass(frozen=True, slots=True)
class ReleaseLedger:
    """What the bridge remembers per operator and jurisdiction (one row, updated under lock).

    `epoch` counts releases (0 = never released); `released` is true from a release until a
    revocation; `policy_met` is the last evaluation, so only a change from met to unmet lapses;
    `tooling` is what the current epoch released, which is what a revocation takes back.
    """

    operator_id: str
    jurisdiction: str
    epoch: int = 0
    released: bool = False
    release_id: str | None = None
    policy_met: bool = False
    tooling: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CertificateNotice:
    """An expiring or expired notice about one certificate, to forward to the portal."""

    kind: NoticeKind
    certificate_id: str
    staff_id: str
    role: str
    expires_at: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    """The ledger to store, plus at most one release or revocation and any notice to send."""

    ledger: ReleaseLedger
    evaluation: PolicyEvaluation
    release: ReleaseDecided | None = None
    revocation: ToolingRevocationDecided | None = None
    notice: NoticeWebhook | None = None


def decide(
    ledger: ReleaseLedger,
    policy: ReleasePolicy,
    certificates: Iterable[HeldCertificate],
    *,
    now: datetime,
    notice: CertificateNotice | None = None,
) -> DecisionOutcome:
    """Re-evaluate after any change (pass, expiry, revocation, new policy, periodic check).

    Releases once when the policy becomes met while nothing is released; when it stops being
    met, revokes (ending the epoch) only if `policy.revoke_on_lapse`. Otherwise a `notice` is
    forwarded when its role counts for the policy and tooling was released before this call.
    """
    _check_scope(ledger, policy)
    evaluation = evaluate_policy(policy, certificates, now=now)
    forwarded = _notice_webhook(ledger, policy, notice)
    if evaluation.met and not ledger.released:
        release, released = _release(ledger, policy, evaluation, now=now, override=None)
        return DecisionOutcome(released, evaluation, release=release, notice=forwarded)
    lapsed = ledger.policy_met and not evaluation.met
    if lapsed and ledger.released and policy.revoke_on_lapse:
        revocation = ToolingRevocationDecided(
            revocation_id=revocation_id_for(ledger.operator_id, ledger.jurisdiction, ledger.epoch),
            release_id=ledger.release_id,
            operator_id=ledger.operator_id,
            jurisdiction=ledger.jurisdiction,
            tooling=list(ledger.tooling or policy.tooling),
            cause=f"policy_lapsed: {evaluation.describe_missing()}",
            decided_at=now,
        )
        revoked = replace(ledger, released=False, policy_met=False)
        # The revocation is what the portal needs to hear; the notice behind it is not sent.
        return DecisionOutcome(revoked, evaluation, revocation=revocation)
    updated = replace(ledger, policy_met=evaluation.met)
    return DecisionOutcome(updated, evaluation, notice=forwarded)


def force_release(
    ledger: ReleaseLedger,
    policy: ReleasePolicy,
    certificates: Iterable[HeldCertificate],
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> DecisionOutcome:
    """Support releases by hand; the evidence is whatever valid certificates exist.

    Does nothing when tooling is already released in the current epoch.
    """
    _check_scope(ledger, policy)
    if not actor.strip() or not reason.strip():
        raise ValueError("a manual release needs an actor and a reason")
    override = Override(actor=actor, reason=reason)
    evaluation = evaluate_policy(policy, certificates, now=now)
    if ledger.released:
        return DecisionOutcome(replace(ledger, policy_met=evaluation.met), evaluation)
    release, released = _release(ledger, policy, evaluation, now=now, override=override)
    return DecisionOutcome(released, evaluation, release=release)


def _release(
    ledger: ReleaseLedger,
    policy: ReleasePolicy,
    evaluation: PolicyEvaluation,
    *,
    now: datetime,
    override: Override | None,
) -> tuple[ReleaseDecided, ReleaseLedger]:
    epoch = ledger.epoch + 1
    release_id = release_id_for(ledger.operator_id, ledger.jurisdiction, epoch)
    release = ReleaseDecided(
        release_id=release_id,
        operator_id=ledger.operator_id,
        jurisdiction=ledger.jurisdiction,
        tooling=list(policy.tooling),
        reason="certification" if override is None else "manual_override",
        evidence=list(evaluation.evidence),
        override=override,
        epoch=epoch,
        decided_at=now,
    )
    released = ReleaseLedger(
        operator_id=ledger.operator_id,
        jurisdiction=ledger.jurisdiction,
        epoch=epoch,
        released=True,
        release_id=release_id,
        policy_met=evaluation.met,
        tooling=tuple(policy.tooling),
    )
    return release, released


def _notice_webhook(
    ledger: ReleaseLedger, policy: ReleasePolicy, notice: CertificateNotice | None
) -> NoticeWebhook | None:
    if notice is None or not ledger.released or notice.role not in required_counts(policy):
        return None
    data = CertificationNoticeData(
        notice_id=notice_id_for(ledger.operator_id, notice.certificate_id, notice.kind),
        operator_id=ledger.operator_id,
        jurisdiction=ledger.jurisdiction,
        certificate_id=notice.certificate_id,
        staff_id=notice.staff_id,
        role=notice.role,
        expires_at=notice.expires_at,
    )
    if notice.kind == "expiring":
        return CertificationExpiringNotice(timestamp=notice.at, data=data)
    return CertificationExpiredNotice(timestamp=notice.at, data=data)


def _check_scope(ledger: ReleaseLedger, policy: ReleasePolicy) -> None:
    if ledger.jurisdiction != policy.jurisdiction:
        raise ValueError(
            f"ledger is for {ledger.jurisdiction}, policy is for {policy.jurisdiction}"
        )
