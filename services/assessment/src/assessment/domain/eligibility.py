"""The training rule before an exam: every required module of the track version completed.

The track's exam policy names the required modules (`required_modules`; None, as in tracks
published before the rule existed, means every module of the track). Support may waive the
rule for one staff member on one track version: an attempt may then start, but the waived
modules stay uncompleted in the training record.
"""

from assessment.domain.errors import TrainingIncomplete
from assessment.domain.progress import TrackProgress
from contracts.catalogue import TrackPublished


def required_module_ids(track: TrackPublished) -> list[str]:
    """The modules to complete before an attempt, in the order the policy names them."""
    named = track.exam.required_modules
    return [m.id for m in track.modules] if named is None else list(named)


def missing_modules(track: TrackPublished, progress: TrackProgress) -> list[tuple[str, str]]:
    """(module id, title) of each required module not completed at the track's lesson versions.

    A required id the track does not have (content validation refuses that) can never be
    completed, so it is reported missing under its id rather than silently dropped.
    """
    if progress.track_key != track.track_key:
        raise ValueError(f"progress is for {progress.track_key}, track is {track.track_key}")
    modules = {m.id: m for m in track.modules}
    missing: list[tuple[str, str]] = []
    for module_id in required_module_ids(track):
        module = modules.get(module_id)
        if module is None:
            missing.append((module_id, module_id))
        elif not progress.module_complete(module):
            missing.append((module.id, module.title))
    return missing


def training_blocker(
    track: TrackPublished, progress: TrackProgress, *, waived: bool
) -> TrainingIncomplete | None:
    """The refusal to start an attempt for want of training, or None (complete or waived)."""
    missing = missing_modules(track, progress)
    if not missing or waived:
        return None
    return TrainingIncomplete(track_key=track.track_key, missing=missing)
