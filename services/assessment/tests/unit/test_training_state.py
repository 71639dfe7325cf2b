"""The TrainingState builder: what every training, attempt and certificate event says."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from assessment_builders import (
    T0,
    certificate,
    completed,
    finished,
    history,
    module,
    staff,
    started,
    track,
)

from assessment.domain.attempts import Attempt
from assessment.domain.certificates import Certificate, revoke_certificate
from assessment.domain.progress import TrackProgress, complete_lesson
from assessment.domain.training_state import training_state
from contracts.assessment import TrainingState
from contracts.catalogue import TrackPublished
from contracts.common import ModuleCompletion


def _state(
    tr: TrackPublished,
    progress: TrackProgress | None = None,
    attempts: Sequence[Attempt] = (),
    certificates: Sequence[Certificate] = (),
) -> TrainingState:
    return training_state(
        holder=staff(),
        track=tr,
        progress=progress or TrackProgress("staff-1", tr.track_key),
        attempts=attempts,
        certificates=certificates,
    )


def test_a_module_counts_as_completed_when_its_last_lesson_is_at_that_time() -> None:
    tr = track(modules=[module("core-aml", lessons=2), module("core-kyc")])
    progress = complete_lesson(
        TrackProgress("staff-1", tr.track_key),
        tr,
        module_id="core-aml",
        lesson_id="core-aml-l0",
        now=T0,
    ).progress
    half = _state(tr, progress)
    assert half.modules_completed == []
    done = complete_lesson(
        progress, tr, module_id="core-aml", lesson_id="core-aml-l1", now=T0 + timedelta(hours=2)
    ).progress
    assert _state(tr, done).modules_completed == [
        ModuleCompletion(module_id="core-aml", completed_at=T0 + timedelta(hours=2))
    ]


def test_required_modules_default_to_every_module_and_follow_the_policy_otherwise() -> None:
    every = track(modules=[module("core-aml"), module("core-kyc")])
    assert _state(every).modules_required == ["core-aml", "core-kyc"]
    some = track(modules=[module("core-aml"), module("core-kyc")], required_modules=["core-kyc"])
    assert _state(some).modules_required == ["core-kyc"]


def test_nothing_attempted_has_no_result_score_or_certificate() -> None:
    state = _state(track(pass_mark=75))
    assert (state.attempts, state.best_score, state.result, state.pass_mark) == (0, None, None, 75)
    assert (state.certificate_id, state.certificate_valid_until) == (None, None)


def test_attempts_count_closed_ones_only_and_a_pass_outranks_earlier_fails() -> None:
    tr = track()
    failed = finished(tr, history(), at=T0, passed=False, attempt_id="a1")
    assert _state(tr, attempts=[failed]).result == "fail"
    passed = finished(tr, history(failed), at=T0 + timedelta(days=2), passed=True, attempt_id="a2")
    still_open = started(tr, history(failed, passed), at=T0 + timedelta(days=3), attempt_id="a3")
    state = _state(tr, attempts=[failed, passed, still_open])
    assert (state.attempts, state.best_score, state.result) == (2, 100, "pass")


def test_attempts_on_other_tracks_are_not_counted() -> None:
    tr = track()
    other = replace(finished(tr, history(), at=T0, passed=True), track_key="GCB.compliance_officer")
    assert _state(tr, attempts=[other]).attempts == 0


def test_the_certificate_is_the_current_one_and_a_revoked_one_is_not() -> None:
    tr = track()
    old = certificate(certificate_id="c1", passed_at=T0)
    new = certificate(certificate_id="c2", passed_at=T0 + timedelta(days=500), predecessor=old)
    state = _state(tr, certificates=[old, new])
    assert (state.certificate_id, state.certificate_valid_until) == ("c2", new.expires_at)
    revoked = revoke_certificate(new, actor="sam", reason="proxy", now=T0 + timedelta(days=501))
    assert _state(tr, certificates=[revoked]).certificate_id is None


def test_names_come_from_the_track_and_the_regulator_falls_back_to_the_jurisdiction() -> None:
    named = _state(track(regulator="Malta Gaming Authority"))
    assert (named.regulator, named.track_title, named.track_version) == (
        "Malta Gaming Authority",
        "MGA compliance_officer",
        "v1",
    )
    assert _state(track()).regulator == "MGA"
    assert (named.staff_name, named.staff_email) == ("Ada Compliance", "staff-1@operator.example")


def test_a_record_missing_a_required_module_is_not_complete() -> None:
    tr = track(modules=[module("core-aml"), module("core-kyc")])
    state = _state(tr, completed(tr, "core-aml"))
    assert [m.module_id for m in state.modules_completed] == ["core-aml"]
    assert not state.record().complete_by(T0 + timedelta(days=1))
