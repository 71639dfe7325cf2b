"""Who the assessment domain certifies: staff as provisioned from the portal's identity."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StaffMember:
    """A member of an operator's staff; email stays internal and never reaches public views."""

    operator_id: str
    staff_id: str
    name: str
    email: str
    roles: frozenset[str] = field(default_factory=frozenset)
