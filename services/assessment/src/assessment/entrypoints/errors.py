"""Error bodies that say what to fix: domain errors mapped to HTTP, documented in OpenAPI."""

import math
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from academy_runtime.errors import ErrorBody, MissingModule, Problem
from assessment.domain.errors import (
    AssessmentError,
    AttemptAlreadyOpen,
    InvalidAnswers,
    TrainingIncomplete,
)

#: HTTP status per domain error code; anything unlisted is a 400.
STATUS_BY_CODE: dict[str, int] = {
    "attempt_already_open": 409,
    "training_incomplete": 409,
    "attempt_limit_reached": 409,
    "attempt_cooldown": 429,
    "recertification_not_open": 409,
    "submission_after_deadline": 409,
    "attempt_not_open": 409,
    "track_version_mismatch": 409,
    "exam_blueprint_invalid": 409,
    "certificate_already_revoked": 409,
    "invalid_answers": 422,
    "invalid_verification_code": 422,
    "idempotency_key_reused": 422,
    "track_not_assigned": 403,
    "unknown_lesson": 404,
    "track_not_found": 404,
    "attempt_not_found": 404,
    "certificate_not_found": 404,
    "staff_not_found": 404,
}


_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "The body is not JSON (send `Content-Type: application/json` and valid UTF-8 JSON)",
        {"error": "bad_request", "detail": "There was an error parsing the body"},
    ),
    401: (
        "Missing, expired or invalid bearer token",
        {
            "error": "unauthorized",
            "reason": "expired",
            "detail": "token has expired; sign in again",
        },
    ),
    403: (
        "The caller's roles or operator do not allow this",
        {
            "error": "forbidden",
            "reason": "forbidden",
            "detail": "requires one of the roles: academy_support",
        },
    ),
    404: (
        "Not found for this caller (other operators' data is never visible)",
        {
            "error": "attempt_not_found",
            "detail": "You have no exam attempt 5f0c…. GET /v1/me/attempts lists your attempts.",
        },
    ),
    409: (
        "The current state does not allow this",
        {
            "error": "attempt_already_open",
            "detail": "You already have an exam attempt in progress (5f0c…). Finish and submit "
            "it before 2026-11-24T11:10:00Z; a new attempt can only start once it is closed.",
            "retry_at": "2026-11-24T11:10:00Z",
            "attempt_id": "5f0c1a9e-3b7d-4d1e-9a53-0c2f7e1d9b11",
        },
    ),
    422: (
        "The request does not validate; `problems` lists the fields to fix",
        {
            "error": "invalid_request",
            "detail": "fix the listed fields",
            "problems": [
                {"field": "reason", "problem": "String should have at least 3 characters"}
            ],
        },
    ),
    429: (
        "Too early: wait until `retry_at` (Retry-After)",
        {
            "error": "attempt_cooldown",
            "detail": "Your last attempt did not pass. Review the training material; next "
            "attempt allowed after 2026-11-25T10:40:00Z.",
            "retry_at": "2026-11-25T10:40:00Z",
        },
    ),
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds until `retry_at`",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the given error statuses (with examples)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        description, example = _EXAMPLES[status]
        entry: dict[str, Any] = {
            "model": ErrorBody,
            "description": description,
            "content": {"application/json": {"example": example}},
        }
        if status in (409, 429):
            entry["headers"] = _RETRY_AFTER
        out[status] = entry
    return out


#: Every authenticated route can answer these.
AUTHENTICATED = (401, 403, 422)
#: Routes that take a JSON body can also answer 400 (unparsable body).
WITH_BODY = (400, *AUTHENTICATED)


def error_body(exc: AssessmentError) -> dict[str, Any]:
    body = ErrorBody(error=exc.code, detail=exc.message, retry_at=exc.retry_at)
    if isinstance(exc, AttemptAlreadyOpen):
        body.attempt_id = exc.attempt_id
    if isinstance(exc, InvalidAnswers):
        body.problems = [
            Problem(field=f"answers.{question_id}", problem=problem)
            for question_id, problem in exc.problems
        ]
    if isinstance(exc, TrainingIncomplete):
        body.missing_modules = [
            MissingModule(module_id=module_id, title=title) for module_id, title in exc.missing
        ]
    return body.body()


def error_response(exc: AssessmentError, *, now: datetime) -> JSONResponse:
    headers = {}
    if exc.retry_at is not None:
        wait = (exc.retry_at - now).total_seconds()
        headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return JSONResponse(
        error_body(exc), status_code=STATUS_BY_CODE.get(exc.code, 400), headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssessmentError)
    async def on_assessment_error(request: Request, exc: AssessmentError) -> JSONResponse:
        wiring = getattr(request.app.state, "assessment", None)
        now = wiring.clock() if wiring is not None else datetime.now(UTC)
        return error_response(exc, now=now)
