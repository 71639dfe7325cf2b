"""The base of every JSON request body: an unknown field is refused, never silently dropped."""

from pydantic import BaseModel, ConfigDict


class RequestBody(BaseModel):
    """A body an edge accepts; a misspelt field gets 422 naming it instead of being ignored."""

    model_config = ConfigDict(extra="forbid")
