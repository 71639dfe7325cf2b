"""Drawing an exam from a track's question pool, and the answer-free paper shown to staff."""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor
from typing import Literal

from pydantic import ConfigDict, Field

from assessment.domain.errors import ExamBlueprintInvalid, TrackVersionMismatch
from contracts.base import Model
from contracts.catalogue import CertificationPolicy, ExamPolicy, Question, TrackPublished


class ExamSnapshot(Model):
    """The drawn exam with its answer key, frozen at start: what the attempt is graded against.

    Options are stored in the order they were shown, and the version's exam and certification
    policies ride along. Persist it with the attempt (`model_dump_json`) so grading and the
    certificate it earns never depend on the current track version.
    """

    track_key: str
    track_version: str
    seed: int
    policy: ExamPolicy
    certification: CertificationPolicy
    questions: tuple[Question, ...] = Field(min_length=1)

    @property
    def question_ids(self) -> list[str]:
        return [question.id for question in self.questions]


class _Strict(Model):
    """Paper models refuse unknown fields, so an answer key can never ride along unnoticed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PaperOption(_Strict):
    id: str
    text: str


class PaperQuestion(_Strict):
    """A question as staff see it: no answer key, no explanation (the model forbids extras)."""

    id: str
    module_id: str
    kind: Literal["single", "multiple"]
    text: str
    options: tuple[PaperOption, ...]


class ExamPaper(_Strict):
    track_version: str
    time_limit_minutes: int
    questions: tuple[PaperQuestion, ...]


@dataclass(frozen=True)
class Blueprint:
    """How questions spread over modules; no weights means a uniform draw from the whole pool.

    Weights are relative (any non-negative numbers); modules without a weight are not drawn from.
    """

    module_weights: Mapping[str, float] | None = field(default=None)

    @classmethod
    def uniform(cls) -> "Blueprint":
        return cls()

    @classmethod
    def spread_over_modules(cls, track: TrackPublished) -> "Blueprint":
        """Stratify by module, each weighted by its share of the pool."""
        weights: dict[str, float] = {}
        for question in track.question_pool:
            weights[question.module_id] = weights.get(question.module_id, 0) + 1
        return cls(module_weights=weights)


def blueprint_for(track: TrackPublished) -> Blueprint:
    """The blueprint a published track asks for.

    `TrackPublished` v1 carries no module weights, so this is uniform today; when the catalogue
    adds weights (an additive field), map them here and every caller follows.
    """
    del track
    return Blueprint.uniform()


def draw_exam(
    track: TrackPublished, *, seed: int, blueprint: Blueprint | None = None
) -> ExamSnapshot:
    """Draw `question_count` distinct questions and shuffle their options, reproducibly from seed.

    The pool is ordered by question id first, so the draw depends only on the pool's content.
    """
    count = track.exam.question_count
    pool = sorted(track.question_pool, key=lambda question: question.id)
    ids = [question.id for question in pool]
    if len(set(ids)) != len(ids):
        raise ExamBlueprintInvalid(f"track {track.version} has duplicate question ids")
    if len(pool) < count:
        raise ExamBlueprintInvalid(
            f"track {track.version} needs {count} questions but its pool has {len(pool)}"
        )
    for question in pool:
        _check_question(question, track.version)
    rng = random.Random(seed)  # noqa: S311 - reproducible draw, not a secret
    plan = blueprint or blueprint_for(track)
    if plan.module_weights is None:
        chosen = rng.sample(pool, count)
    else:
        chosen = _draw_per_module(track, pool, plan.module_weights, count, rng)
    questions = tuple(_shuffle_options(question, rng) for question in chosen)
    return ExamSnapshot(
        track_key=track.track_key,
        track_version=track.version,
        seed=seed,
        policy=track.exam,
        certification=track.certification,
        questions=questions,
    )


def redraw_exam(
    track: TrackPublished, *, track_version: str, seed: int, blueprint: Blueprint | None = None
) -> ExamSnapshot:
    """Rebuild an attempt's snapshot from its recorded version and seed (e.g. for an audit)."""
    if track.version != track_version:
        raise TrackVersionMismatch(expected=track_version, got=track.version)
    return draw_exam(track, seed=seed, blueprint=blueprint)


def paper_for(snapshot: ExamSnapshot) -> ExamPaper:
    """Project the snapshot to what staff may see; answers and explanations cannot leak."""
    return ExamPaper(
        track_version=snapshot.track_version,
        time_limit_minutes=snapshot.policy.time_limit_minutes,
        questions=tuple(
            PaperQuestion(
                id=question.id,
                module_id=question.module_id,
                kind=question.kind,
                text=question.text,
                options=tuple(PaperOption(id=o.id, text=o.text) for o in question.options),
            )
            for question in snapshot.questions
        ),
    )


def apportion(
    total: int,
    weights: Mapping[str, Fraction],
    capacity: Mapping[str, int],
    order: Sequence[str],
) -> dict[str, int]:
    """Split `total` seats by weight (largest remainder), never above a module's capacity.

    Ties go to the module earlier in `order`, so the split is deterministic. A module that would
    exceed its capacity is filled and the rest is re-split among the others.
    """
    allocation = dict.fromkeys(order, 0)
    active = [m for m in order if weights.get(m, Fraction(0)) > 0 and capacity.get(m, 0) > 0]
    if sum(capacity[m] for m in active) < total:
        raise ExamBlueprintInvalid(f"weighted modules hold fewer than {total} questions")
    remaining = total
    while remaining > 0:
        weight_sum = sum((weights[m] for m in active), Fraction(0))
        quotas = {m: remaining * weights[m] / weight_sum for m in active}
        capped = [m for m in active if allocation[m] + quotas[m] >= capacity[m]]
        if capped:
            for module in capped:
                remaining -= capacity[module] - allocation[module]
                allocation[module] = capacity[module]
            active = [m for m in active if m not in capped]
            continue
        floors = {m: floor(quotas[m]) for m in active}
        for module in active:
            allocation[module] += floors[module]
        leftover = remaining - sum(floors.values())
        ranked = sorted(active, key=lambda m: (-(quotas[m] - floors[m]), order.index(m)))
        for module in ranked[:leftover]:
            allocation[module] += 1
        remaining = 0
    return allocation


def _draw_per_module(
    track: TrackPublished,
    pool: Sequence[Question],
    raw_weights: Mapping[str, float],
    count: int,
    rng: random.Random,
) -> list[Question]:
    by_module: dict[str, list[Question]] = {}
    for question in pool:
        by_module.setdefault(question.module_id, []).append(question)
    if any(weight < 0 for weight in raw_weights.values()):
        raise ExamBlueprintInvalid("module weights must not be negative")
    weights = {module: Fraction(weight) for module, weight in raw_weights.items()}
    if sum(weights.values(), Fraction(0)) <= 0:
        raise ExamBlueprintInvalid("module weights must not all be zero")
    track_order = [module.id for module in track.modules]
    order = track_order + sorted(set(by_module) - set(track_order))
    capacity = {module: len(by_module.get(module, [])) for module in order}
    allocation = apportion(count, weights, capacity, order)
    chosen: list[Question] = []
    for module in order:
        if allocation[module]:
            chosen.extend(rng.sample(by_module[module], allocation[module]))
    rng.shuffle(chosen)
    return chosen


def _check_question(question: Question, version: str) -> None:
    option_ids = [option.id for option in question.options]
    if len(set(option_ids)) != len(option_ids):
        raise ExamBlueprintInvalid(f"question {question.id} in {version} repeats an option id")
    if not set(question.correct) <= set(option_ids):
        raise ExamBlueprintInvalid(f"question {question.id} in {version} keys an unknown option")
    if question.kind == "single" and len(set(question.correct)) != 1:
        raise ExamBlueprintInvalid(f"single-choice question {question.id} needs one key")


def _shuffle_options(question: Question, rng: random.Random) -> Question:
    options = list(question.options)
    rng.shuffle(options)
    return question.model_copy(update={"options": options})
