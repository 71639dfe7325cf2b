"""The one error body every service answers 4xx/5xx with, and documents in OpenAPI.

A stable `error` code and a `detail` saying what to do next; the optional fields are there
only when they help fix the call (`problems`, `retry_at`, `did_you_mean`, …), so one model
describes the runtime's own answers (auth, validation, 404s, the 500) and every service's.
"""

from typing import Any

from pydantic import BaseModel, Field

from contracts.base import UtcDatetime


class Problem(BaseModel):
    """One field to fix: where it is (`answers.q-aml-01`, `path.code`) and what is wrong."""

    field: str = Field(examples=["answers.q-aml-01"])
    problem: str = Field(examples=["question q-aml-01 has no option x"])


class MissingModule(BaseModel):
    """A required training module still to complete (assessment's `training_incomplete`)."""

    module_id: str = Field(examples=["core-kyc"])
    title: str = Field(examples=["Know your customer"])


class ErrorBody(BaseModel):
    """Every 4xx/5xx body: a stable `error` code and a `detail` saying what to do next."""

    error: str = Field(description="stable machine-readable code", examples=["not_found"])
    detail: str = Field(description="what went wrong and how to fix it, for the user")
    reason: str | None = Field(
        default=None, description="auth failures and lookups: the rejection reason"
    )
    claim: str | None = Field(default=None, description="auth failures: the offending claim")
    problems: list[Problem] | None = Field(default=None, description="fields to fix")
    did_you_mean: list[str] | None = Field(
        default=None, description="unknown names: the close known ones"
    )
    published: list[str] | None = Field(
        default=None, description="unpublished jurisdictions: the published ones"
    )
    go_live: list[str] | None = Field(
        default=None, description="outside_go_live: the operator's go-live jurisdictions"
    )
    retry_at: UtcDatetime | None = Field(
        default=None, description="when retrying can succeed (also sent as Retry-After)"
    )
    attempt_id: str | None = Field(default=None, description="the attempt already in progress")
    missing_modules: list[MissingModule] | None = Field(
        default=None, description="training_incomplete: the required modules still to complete"
    )
    request_id: str | None = Field(
        default=None, description="internal errors: quote it when reporting the failure"
    )

    def body(self) -> dict[str, Any]:
        """The JSON object to send: only the fields that are set."""
        return self.model_dump(mode="json", exclude_none=True)
