"""Support actions on fakes of their ports: audited with actor and reason; unknown operators
refused."""

from datetime import timedelta

import pytest
from assessment_builders import T0, certificate, staff, track
from assessment_fakes import FakeUnit

from assessment.domain.errors import CertificateNotFound
from assessment.service import support
from assessment.service.operators import UnknownOperator

KEY = "MGA.compliance_officer"
REVOKED = "academy.certification.revoked.v1"
RESET = "academy.attempts.reset.v1"
WAIVED = "academy.training.waived.v1"


def with_holder() -> FakeUnit:
    """`staff()` signed in (so the operator is known) and holds `certificate()` on `track()`."""
    uow = FakeUnit()
    uow.tracks.published.append(track())
    holder = staff()
    uow.staff.members[(holder.operator_id, holder.staff_id)] = holder
    uow.certificates.stored["cert-1"] = certificate()
    return uow


async def test_revoking_a_certificate_stores_actor_and_reason_and_stages_the_revocation() -> None:
    uow = with_holder()
    now = T0 + timedelta(days=3)

    revoked = await support.revoke(
        uow=uow,
        operator_id="op-123",
        certificate_id="cert-1",
        actor="support@academy",
        reason="Exam taken by proxy",
        now=now,
    )

    stored = uow.certificates.stored["cert-1"]
    assert (stored.revoked_by, stored.revocation_reason, stored.revoked_at) == (
        "support@academy",
        "Exam taken by proxy",
        now,
    )
    assert revoked == stored
    assert stored.status_at(now) == "revoked"
    [event] = uow.events.of_type(REVOKED)
    assert event.certificate_id == "cert-1"
    assert event.training is not None
    assert event.training.track_key == KEY


async def test_revoking_another_operators_certificate_is_not_found() -> None:
    uow = with_holder()
    uow.operators.go_lives["op-other"] = ["MGA"]

    with pytest.raises(CertificateNotFound):
        await support.revoke(
            uow=uow,
            operator_id="op-other",
            certificate_id="cert-1",
            actor="support@academy",
            reason="Wrong tenant",
            now=T0,
        )

    assert uow.certificates.stored["cert-1"].revoked_at is None
    assert uow.events.emitted == []


async def test_a_support_action_on_an_operator_nobody_has_seen_suggests_close_ids() -> None:
    uow = with_holder()

    with pytest.raises(UnknownOperator) as refused:
        await support.reset_attempts(
            uow=uow,
            operator_id="op-124",
            staff_id="staff-1",
            track_key=KEY,
            actor="support@academy",
            reason="Typo",
            now=T0,
        )

    assert refused.value.body["did_you_mean"] == ["op-123"]
    assert uow.attempts.resets == []


async def test_resetting_attempts_records_a_new_cycle_and_stages_it_with_the_reason() -> None:
    uow = with_holder()

    await support.reset_attempts(
        uow=uow,
        operator_id="op-123",
        staff_id="staff-1",
        track_key=KEY,
        actor="support@academy",
        reason="Exam outage",
        now=T0,
    )

    assert uow.attempts.resets == [("op-123", "staff-1", KEY, T0)]
    [event] = uow.events.of_type(RESET)
    assert (event.actor, event.reason) == ("support@academy", "Exam outage")


async def test_a_waiver_names_the_required_modules_not_completed_and_completes_none() -> None:
    uow = with_holder()

    waiver = await support.waive_training(
        uow=uow,
        operator_id="op-123",
        staff_id="staff-1",
        track_key=KEY,
        actor="support@academy",
        reason="Trained on paper",
        now=T0,
    )

    assert waiver.modules_waived == ("core-aml", "mga-local")
    assert await uow.waivers.waived("op-123", "staff-1", KEY, "v1")
    [event] = uow.events.of_type(WAIVED)
    assert event.training.modules_completed == []
