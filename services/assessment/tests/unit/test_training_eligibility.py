"""The training rule before an exam, on plain data: required modules completed, or waived."""

from datetime import timedelta

import pytest
from assessment_builders import T0, completed, history, module, staff, started, track

from assessment.domain.attempts import start_attempt
from assessment.domain.eligibility import missing_modules, required_module_ids, training_blocker
from assessment.domain.errors import AttemptAlreadyOpen, TrainingIncomplete
from assessment.domain.progress import TrackProgress, complete_lesson


def test_without_a_rule_in_the_policy_every_module_of_the_track_is_required() -> None:
    tr = track(modules=[module("core-aml"), module("core-kyc"), module("mga-local")])
    assert required_module_ids(tr) == ["core-aml", "core-kyc", "mga-local"]


def test_the_missing_modules_are_named_with_their_titles_in_policy_order() -> None:
    tr = track(
        modules=[module("core-aml"), module("core-kyc"), module("mga-local")],
        required_modules=["mga-local", "core-aml"],
    )
    assert missing_modules(tr, TrackProgress("staff-1", tr.track_key)) == [
        ("mga-local", "Module mga-local"),
        ("core-aml", "Module core-aml"),
    ]
    assert missing_modules(tr, completed(tr, "core-aml")) == [("mga-local", "Module mga-local")]


def test_a_module_not_required_by_the_policy_does_not_block() -> None:
    tr = track(modules=[module("core-aml"), module("core-kyc")], required_modules=["core-aml"])
    assert training_blocker(tr, completed(tr, "core-aml"), waived=False) is None


def test_incomplete_training_blocks_naming_each_missing_module() -> None:
    tr = track(modules=[module("core-aml"), module("core-kyc")])
    blocker = training_blocker(tr, completed(tr, "core-aml"), waived=False)
    assert isinstance(blocker, TrainingIncomplete)
    assert blocker.missing == (("core-kyc", "Module core-kyc"),)
    assert "Module core-kyc (core-kyc)" in blocker.message


def test_a_module_half_done_is_missing() -> None:
    tr = track(modules=[module("core-aml", lessons=2)])
    half = complete_lesson(completed(tr), tr, module_id="core-aml", lesson_id="core-aml-l0", now=T0)
    assert missing_modules(tr, half.progress) == [("core-aml", "Module core-aml")]


def test_lessons_completed_at_an_older_lesson_version_do_not_count() -> None:
    v1 = track(version="v1", modules=[module("core-aml")])
    v2 = track(version="v2", modules=[module("core-aml", version="m2")])
    changed = v2.model_copy(
        update={
            "modules": [
                v2.modules[0].model_copy(
                    update={
                        "lessons": [
                            x.model_copy(update={"version": "2"}) for x in v2.modules[0].lessons
                        ]
                    }
                )
            ]
        }
    )
    assert missing_modules(changed, completed(v1, "core-aml")) == [("core-aml", "Module core-aml")]


def test_a_waiver_lets_incomplete_training_through() -> None:
    tr = track(modules=[module("core-aml"), module("core-kyc")])
    assert training_blocker(tr, TrackProgress("staff-1", tr.track_key), waived=True) is None


def test_a_required_module_the_track_lacks_is_reported_missing_under_its_id() -> None:
    tr = track(modules=[module("core-aml")], required_modules=["core-aml", "gone"])
    assert missing_modules(tr, completed(tr, "core-aml")) == [("gone", "gone")]


def test_starting_an_attempt_with_incomplete_training_raises_it() -> None:
    tr = track()
    blocker = training_blocker(tr, TrackProgress("staff-1", tr.track_key), waived=False)
    with pytest.raises(TrainingIncomplete):
        start_attempt(
            history(), tr, holder=staff(), attempt_id="a1", seed=1, now=T0, training=blocker
        )


def test_an_open_attempt_is_reported_before_the_training_rule() -> None:
    tr = track()
    open_attempt = started(tr, history(), at=T0)
    blocker = training_blocker(tr, TrackProgress("staff-1", tr.track_key), waived=False)
    with pytest.raises(AttemptAlreadyOpen):
        start_attempt(
            history(open_attempt),
            tr,
            holder=staff(),
            attempt_id="a2",
            seed=1,
            now=T0 + timedelta(minutes=1),
            training=blocker,
        )
