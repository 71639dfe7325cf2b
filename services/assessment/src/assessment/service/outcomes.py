"""What staff are told about a closed attempt; stored with it so a repeated submit replays it."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assessment.domain.attempts import Attempt, Submission
from assessment.domain.certificates import Certificate
from contracts.base import UtcDatetime
from contracts.common import AttemptResult

FeedbackLevel = Literal["none", "score", "per_question"]


class WrongAnswer(BaseModel):
    question_id: str
    question_text: str
    explanation: str


class IssuedCertificate(BaseModel):
    certificate_id: str
    verification_code: str = Field(examples=["7K3M-Q9XD-2HPV"])
    passed_at: UtcDatetime
    expires_at: UtcDatetime
    recert_window_opens_at: UtcDatetime


class AttemptOutcome(BaseModel):
    """The result of a graded or timed-out attempt, shaped by the exam's feedback policy.

    `score`/`pass_mark` appear from feedback level `score` on, `wrong_answers` (question and
    explanation, never the key) only with `per_question`.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "attempt_id": "5f0c1a9e-3b7d-4d1e-9a53-0c2f7e1d9b11",
                    "track_key": "MGA.compliance_officer",
                    "track_version": "2026.11.3",
                    "status": "submitted",
                    "result": "pass",
                    "submitted_at": "2026-11-24T10:41:07Z",
                    "feedback": "score",
                    "score": 90,
                    "pass_mark": 80,
                    "wrong_answers": None,
                    "certificate": {
                        "certificate_id": "0b6c3a52-8d3e-4a8f-bf1e-6f9d1c2e7a40",
                        "verification_code": "7K3M-Q9XD-2HPV",
                        "passed_at": "2026-11-24T10:41:07Z",
                        "expires_at": "2028-05-24T10:41:07Z",
                        "recert_window_opens_at": "2028-03-25T10:41:07Z",
                    },
                }
            ]
        }
    )

    attempt_id: str
    track_key: str
    track_version: str
    status: Literal["submitted", "timed_out"]
    result: AttemptResult
    submitted_at: UtcDatetime = Field(description="for a timed-out attempt: its deadline")
    feedback: FeedbackLevel
    score: int | None = Field(default=None, ge=0, le=100)
    pass_mark: int | None = Field(default=None, ge=0, le=100)
    wrong_answers: list[WrongAnswer] | None = None
    certificate: IssuedCertificate | None = None


def graded_outcome(submission: Submission, certificate: Certificate | None) -> AttemptOutcome:
    attempt, feedback = submission.attempt, submission.feedback
    assert attempt.submitted_at is not None
    wrong = (
        None
        if feedback.wrong is None
        else [
            WrongAnswer(
                question_id=w.question_id, question_text=w.question_text, explanation=w.explanation
            )
            for w in feedback.wrong
        ]
    )
    return AttemptOutcome(
        attempt_id=attempt.attempt_id,
        track_key=attempt.track_key,
        track_version=attempt.track_version,
        status="submitted",
        result=attempt.result or "fail",
        submitted_at=attempt.submitted_at,
        feedback=feedback.level,
        score=feedback.score,
        pass_mark=feedback.pass_mark,
        wrong_answers=wrong,
        certificate=None if certificate is None else issued(certificate),
    )


def timed_out_outcome(attempt: Attempt) -> AttemptOutcome:
    """A timed-out attempt failed with score 0; the score shows only if the policy allows."""
    level = attempt.exam.policy.feedback
    shows_score = level != "none"
    return AttemptOutcome(
        attempt_id=attempt.attempt_id,
        track_key=attempt.track_key,
        track_version=attempt.track_version,
        status="timed_out",
        result="fail",
        submitted_at=attempt.deadline,
        feedback=level,
        score=0 if shows_score else None,
        pass_mark=attempt.exam.policy.pass_mark if shows_score else None,
    )


def issued(certificate: Certificate) -> IssuedCertificate:
    return IssuedCertificate(
        certificate_id=certificate.certificate_id,
        verification_code=certificate.verification_code,
        passed_at=certificate.passed_at,
        expires_at=certificate.expires_at,
        recert_window_opens_at=certificate.recert_window_opens_at,
    )
