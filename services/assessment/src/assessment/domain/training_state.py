"""A staff member's standing on one track version, as every training/exam/certificate event
carries it (`TrainingState`): the one place its rules live.

- `modules_required`: the exam policy's required modules (None there: every module);
- `modules_completed`: modules of this track version whose every lesson (at the version's
  lesson versions) is completed, at the time the last of those lessons was completed; a
  waiver completes nothing, so waived modules are absent;
- `attempts`, `best_score`, `result`: over every *closed* attempt on the track key (all
  versions and all certification cycles; submitted or timed out, not the one still open):
  `result` is pass once any passed, fail when only failures, None when none;
- `pass_mark`: this version's; the certificate: the track's current one (the newest neither
  revoked nor superseded), expired or not.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from assessment.domain.certificates import Certificate, latest_certificate
from assessment.domain.eligibility import required_module_ids
from assessment.domain.progress import TrackProgress
from assessment.domain.staff import StaffMember
from contracts.assessment import TrainingState
from contracts.catalogue import TrackPublished
from contracts.common import AttemptResult, ModuleCompletion


class ScoredAttempt(Protocol):
    """What the state reads of an attempt (an `Attempt` is one): never its exam paper."""

    @property
    def attempt_id(self) -> str: ...
    @property
    def staff_id(self) -> str: ...
    @property
    def track_key(self) -> str: ...
    @property
    def score(self) -> int | None: ...
    @property
    def result(self) -> AttemptResult | None: ...


@dataclass(frozen=True, slots=True)
class AttemptScore:
    """An attempt's score and result alone, read without its stored exam paper."""

    attempt_id: str
    staff_id: str
    track_key: str
    score: int | None
    result: AttemptResult | None


@dataclass(frozen=True)
class TrackRecords:
    """One staff member's completions, attempts and certificates on one track key."""

    holder: StaffMember
    progress: TrackProgress
    attempts: Sequence[ScoredAttempt]
    certificates: Sequence[Certificate]

    def state(
        self, track: TrackPublished, *, progress: TrackProgress | None = None
    ) -> TrainingState:
        """The state on `track` (a version); `progress` replaces the loaded one mid-change."""
        return training_state(
            holder=self.holder,
            track=track,
            progress=self.progress if progress is None else progress,
            attempts=self.attempts,
            certificates=self.certificates,
        )

    def after_close(
        self, closed: ScoredAttempt, *, certificates: Sequence[Certificate] | None = None
    ) -> "TrackRecords":
        """The records once `closed` (an attempt read while open) and, when given, the holder's
        `certificates` on the track are stored: what reading them again would return."""
        score = AttemptScore(
            closed.attempt_id, closed.staff_id, closed.track_key, closed.score, closed.result
        )
        others = [a for a in self.attempts if a.attempt_id != closed.attempt_id]
        return replace(
            self,
            attempts=[*others, score],
            certificates=self.certificates if certificates is None else certificates,
        )


def module_completions(progress: TrackProgress, track: TrackPublished) -> list[ModuleCompletion]:
    """Completed modules of the track version, in track order, each at its last lesson's time."""
    done: list[ModuleCompletion] = []
    for module in track.modules:
        times = [
            c.completed_at
            for lesson in module.lessons
            for c in progress.completions
            if (c.module_id, c.lesson_id, c.lesson_version)
            == (module.id, lesson.id, lesson.version)
        ]
        if module.lessons and progress.module_complete(module):
            done.append(ModuleCompletion(module_id=module.id, completed_at=max(times)))
    return done


def overall_result(closed: Iterable[ScoredAttempt]) -> AttemptResult | None:
    results = {a.result for a in closed}
    if "pass" in results:
        return "pass"
    return "fail" if results else None


def training_state(
    *,
    holder: StaffMember,
    track: TrackPublished,
    progress: TrackProgress,
    attempts: Iterable[ScoredAttempt],
    certificates: Iterable[Certificate],
) -> TrainingState:
    """The holder's TrainingState on `track` (one version) from their records on its key."""
    if (progress.staff_id, progress.track_key) != (holder.staff_id, track.track_key):
        raise ValueError("progress belongs to another staff member or track")
    closed = [
        a
        for a in attempts
        if a.track_key == track.track_key and a.staff_id == holder.staff_id and a.result
    ]
    scores = [a.score for a in closed if a.score is not None]
    certificate = latest_certificate(
        certificates, staff_id=holder.staff_id, track_key=track.track_key
    )
    return TrainingState(
        staff_name=holder.name,
        staff_email=holder.email,
        jurisdiction=track.jurisdiction,
        regulator=track.regulator or track.jurisdiction,
        role=track.role,
        track_key=track.track_key,
        track_title=track.title,
        track_version=track.version,
        modules_required=required_module_ids(track),
        modules_completed=module_completions(progress, track),
        attempts=len(closed),
        best_score=max(scores, default=None),
        pass_mark=track.exam.pass_mark,
        result=overall_result(closed),
        certificate_id=None if certificate is None else certificate.certificate_id,
        certificate_valid_until=None if certificate is None else certificate.expires_at,
    )
