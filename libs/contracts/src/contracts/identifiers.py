"""The one definition of every identifier that crosses a process boundary.

Every edge (token claims, HTTP paths, queries and bodies, CLI arguments) and every consumer
checks identifiers against these patterns, so a value one service accepts is never refused by
a later one. The patterns are written in the regex subset that ECMA-262 (OpenAPI clients),
Rust (pydantic) and Python agree on.
"""

import re
from dataclasses import dataclass
from typing import Annotated, Final

from pydantic import StringConstraints

#: An operator (tenant): safe as a Kafka key, a file name and an SFTP path segment.
OPERATOR_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
#: A staff member, as the IdP's subject (Okta `00u…`, `auth0|…`, an e-mail address).
STAFF_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._:@+|-]{0,199}$"
#: A jurisdiction code as the catalogue publishes it (`MGA`, `GCB`, `UK_GC`).
JURISDICTION_PATTERN: Final = r"^[A-Z][A-Z0-9_]{1,15}$"
#: A staff role (`compliance_officer`); IdP groups of any other shape are not roles.
ROLE_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"
#: A track: `{jurisdiction}.{role}`.
TRACK_KEY_PATTERN: Final = r"^[A-Z][A-Z0-9_]{1,15}\.[a-z][a-z0-9_]{0,63}$"
#: Catalogue content ids: modules, lessons, questions.
CONTENT_ID_PATTERN: Final = r"^[a-z0-9][a-z0-9._-]{0,127}$"
#: Records the services mint: certificates, attempts, releases, webhooks, revocations.
RECORD_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"

OperatorId = Annotated[str, StringConstraints(pattern=OPERATOR_ID_PATTERN)]
StaffId = Annotated[str, StringConstraints(pattern=STAFF_ID_PATTERN)]
JurisdictionCode = Annotated[str, StringConstraints(pattern=JURISDICTION_PATTERN)]
Role = Annotated[str, StringConstraints(pattern=ROLE_PATTERN)]
TrackKey = Annotated[str, StringConstraints(pattern=TRACK_KEY_PATTERN)]
ContentId = Annotated[str, StringConstraints(pattern=CONTENT_ID_PATTERN)]
RecordId = Annotated[str, StringConstraints(pattern=RECORD_ID_PATTERN)]


@dataclass(frozen=True)
class Kind:
    """One kind of identifier: its name in messages, its pattern and an example."""

    name: str
    pattern: str
    example: str

    def problem(self, value: object) -> str | None:
        """Why `value` is not such an identifier, or None when it is one."""
        if not isinstance(value, str):
            return f"must be a string {self.name}, got {type(value).__name__}"
        if re.fullmatch(self.pattern, value):
            return None
        if not value:
            return f"must be a non-empty {self.name}"
        shown = value if len(value) <= 40 else f"{value[:40]}…"
        return f"{shown!r} is not a valid {self.name} (pattern {self.pattern}, e.g. {self.example})"

    def matches(self, value: object) -> bool:
        return self.problem(value) is None


OPERATOR: Final = Kind("operator id", OPERATOR_ID_PATTERN, "op-123")
STAFF: Final = Kind("staff id", STAFF_ID_PATTERN, "00u1a2b3c4D5e6F7g8h9")
JURISDICTION: Final = Kind("jurisdiction code", JURISDICTION_PATTERN, "MGA")
ROLE: Final = Kind("role", ROLE_PATTERN, "compliance_officer")
TRACK_KEY: Final = Kind("track key", TRACK_KEY_PATTERN, "MGA.compliance_officer")
CONTENT_ID: Final = Kind("content id", CONTENT_ID_PATTERN, "kyc-cdd")
RECORD_ID: Final = Kind("record id", RECORD_ID_PATTERN, "0b6c3a52-8d3e-4a8f-bf1e-6f9d1c2e7a40")
