"""Error bodies that say what exists instead, documented in OpenAPI with examples."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from academy_runtime.errors import ErrorBody
from catalogue.service.reading import NotFound

_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    401: (
        "Missing, expired or invalid bearer token",
        {
            "error": "unauthorized",
            "reason": "expired",
            "detail": "token has expired; sign in again",
        },
    ),
    404: (
        "Not published: `detail` names what does exist",
        {
            "error": "track_not_found",
            "detail": "jurisdiction MGA has no track for role 'croupier'; its roles are "
            "compliance_officer, mlro, kyc_analyst, customer_support",
        },
    ),
    422: (
        "The request does not validate; `problems` lists the fields to fix",
        {
            "error": "invalid_request",
            "detail": "fix the listed fields",
            "problems": [
                {
                    "field": "path.code",
                    "problem": "String should match pattern '^[A-Z][A-Z0-9_]{1,15}$'",
                }
            ],
        },
    ),
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        description, example = _EXAMPLES[status]
        out[status] = {
            "model": ErrorBody,
            "description": description,
            "content": {"application/json": {"example": example}},
        }
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def on_not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(ErrorBody(error=exc.code, detail=exc.detail).body(), status_code=404)
