"""Exam attempts: start, read back, submit once (Idempotency-Key)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field, StringConstraints

from academy_runtime.auth import CurrentPrincipal
from academy_runtime.bodies import RequestBody
from assessment.domain.attempts import Attempt
from assessment.domain.exams import ExamPaper
from assessment.entrypoints.deps import (
    BEARER,
    ID_PATTERN,
    TRACK_KEY_PATTERN,
    TrackKeyPath,
    UowDep,
    WiringDep,
    id_path,
    identity,
)
from assessment.entrypoints.errors import (
    AUTHENTICATED,
    WITH_BODY,
    error_response,
    error_responses,
)
from assessment.service import exams
from assessment.service.outcomes import AttemptOutcome
from contracts.base import UtcDatetime
from contracts.common import AttemptResult

router = APIRouter(prefix="/v1/me", tags=["exams"], dependencies=BEARER)

AttemptPath = Annotated[str, id_path("5f0c1a9e-3b7d-4d1e-9a53-0c2f7e1d9b11")]
ItemId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9._:-]{8,128}$",
        description="unique per submission (e.g. a UUID); a retry with the same key and "
        "answers returns the recorded result instead of grading again",
        examples=["b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"],
    ),
]


class PaperOption(BaseModel):
    id: str
    text: str


class PaperQuestion(BaseModel):
    id: str
    module_id: str
    kind: Literal["single", "multiple"] = Field(description="single: one option; multiple: all")
    text: str
    options: list[PaperOption]


class Paper(BaseModel):
    """The exam as shown to staff: questions and options, never the answer key."""

    questions: list[PaperQuestion]

    @classmethod
    def of(cls, paper: ExamPaper) -> "Paper":
        return cls.model_validate(paper.model_dump(include={"questions"}))


class AttemptSummary(BaseModel):
    attempt_id: str
    track_key: str = Field(examples=["MGA.compliance_officer"])
    track_version: str = Field(description="the version this attempt is graded against")
    attempt_number: int = Field(ge=1)
    status: Literal["open", "submitted", "timed_out"]
    started_at: UtcDatetime
    deadline: UtcDatetime
    time_limit_minutes: int
    submitted_at: UtcDatetime | None = None
    result: AttemptResult | None = None

    @classmethod
    def of(cls, attempt: Attempt) -> "AttemptSummary":
        return cls(
            attempt_id=attempt.attempt_id,
            track_key=attempt.track_key,
            track_version=attempt.track_version,
            attempt_number=attempt.attempt_number,
            status=attempt.status,
            started_at=attempt.started_at,
            deadline=attempt.deadline,
            time_limit_minutes=attempt.exam.policy.time_limit_minutes,
            submitted_at=attempt.submitted_at or (attempt.deadline if attempt.result else None),
            result=attempt.result,
        )


class AttemptDetail(AttemptSummary):
    paper: Paper | None = Field(default=None, description="while open: the questions to answer")
    outcome: AttemptOutcome | None = Field(default=None, description="once closed: the result")


class AttemptList(BaseModel):
    attempts: list[AttemptSummary]


class Submission(RequestBody):
    """Selected option ids per question id; unanswered questions count as wrong."""

    answers: dict[ItemId, Annotated[list[ItemId], Field(max_length=20)]] = Field(
        max_length=500,
        examples=[{"q-aml-01": ["q-aml-01-b"], "q-kyc-07": ["q-kyc-07-a", "q-kyc-07-c"]}],
        json_schema_extra={"additionalProperties": False},
    )


@router.post(
    "/tracks/{track_key}/attempts",
    response_model=AttemptDetail,
    status_code=201,
    summary="Start an exam attempt on the track's current version",
    description="Questions are drawn at random from the track's pool (the seed and question "
    "ids are recorded). Every module the track version requires (`exam.required_modules`; "
    "null: every module) must be completed first, unless support waived it: otherwise 409 "
    "`training_incomplete` with `missing_modules`. One open attempt per track; the attempt "
    "limit, cooldown and recertification window come from the jurisdiction's policy.",
    responses=error_responses(*AUTHENTICATED, 404, 409, 429),
)
async def start_attempt(
    track_key: TrackKeyPath, principal: CurrentPrincipal, wiring: WiringDep, uow: UowDep
) -> AttemptDetail:
    started = await exams.start(
        uow=uow,
        identity=identity(principal),
        track_key=track_key,
        ids=wiring.ids,
        now=wiring.clock(),
        rules=wiring.rules,
    )
    summary = AttemptSummary.of(started.attempt)
    return AttemptDetail(**summary.model_dump(), paper=Paper.of(started.paper))


@router.get(
    "/attempts",
    response_model=AttemptList,
    summary="My exam attempts, newest first",
    responses=error_responses(*AUTHENTICATED),
)
async def list_attempts(
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
    track_key: Annotated[str | None, Query(pattern=TRACK_KEY_PATTERN)] = None,
) -> AttemptList:
    found = await exams.list_attempts(
        uow=uow,
        identity=identity(principal),
        track_key=track_key,
        now=wiring.clock(),
        rules=wiring.rules,
    )
    return AttemptList(attempts=[AttemptSummary.of(a) for a in found])


@router.get(
    "/attempts/{attempt_id}",
    response_model=AttemptDetail,
    summary="One of my attempts: the paper while open, the outcome once closed",
    responses=error_responses(*AUTHENTICATED, 404),
)
async def get_attempt(
    attempt_id: AttemptPath, principal: CurrentPrincipal, wiring: WiringDep, uow: UowDep
) -> AttemptDetail:
    view = await exams.get_attempt(
        uow=uow,
        identity=identity(principal),
        attempt_id=attempt_id,
        now=wiring.clock(),
        rules=wiring.rules,
    )
    return AttemptDetail(
        **AttemptSummary.of(view.attempt).model_dump(),
        paper=None if view.paper is None else Paper.of(view.paper),
        outcome=view.outcome,
    )


@router.post(
    "/attempts/{attempt_id}/submission",
    response_model=AttemptOutcome,
    summary="Submit answers once; graded on the server against the attempt's own version",
    description="Send an `Idempotency-Key`: a retry with the same key and answers returns the "
    "recorded outcome (header `Idempotent-Replayed: true`) and never grades twice. A "
    "submission after the time limit (plus grace) is refused with 409 "
    "`submission_after_deadline` and the attempt counts as failed.",
    responses={
        200: {
            "headers": {
                "Idempotent-Replayed": {
                    "description": "present (true) when the recorded outcome was replayed",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            }
        },
        **error_responses(*WITH_BODY, 404, 409),
    },
)
async def submit_attempt(
    attempt_id: AttemptPath,
    body: Submission,
    idempotency_key: IdempotencyKey,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
    response: Response,
) -> AttemptOutcome | Response:
    now = wiring.clock()
    result = await exams.submit(
        uow=uow,
        identity=identity(principal),
        attempt_id=attempt_id,
        answers=body.answers,
        idempotency_key=idempotency_key,
        ids=wiring.ids,
        now=now,
        rules=wiring.rules,
    )
    if result.rejection is not None:  # returned, not raised: the timed-out close commits
        return error_response(result.rejection, now=now)
    assert result.outcome is not None
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return result.outcome
