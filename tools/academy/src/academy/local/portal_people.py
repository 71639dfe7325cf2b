"""The reference portal's demo people, and which academy elements its page places for each.

Standard library only: the sign-in page, the session and the tests read the same list.
"""

from dataclasses import dataclass

DEMO_OPERATOR = "demo-operator"
VENDOR = "academy-vendor"

#: Groups that see their operator's overview (readiness, team, expiring certificates, releases).
OVERVIEW_ROLES = frozenset({"compliance_officer", "operator_admin"})
#: Groups of the vendor's own staff that get the support console.
SUPPORT_ROLES = frozenset({"academy_support"})

#: The elements of the UI kit the Certification tab may place, in the order they appear.
#: <academy-learning> shows the learner's certificates beneath the tracks.
STAFF_ELEMENTS = ("academy-learning",)
OVERVIEW_ELEMENT = "academy-operator-overview"
SUPPORT_ELEMENT = "academy-support-console"


@dataclass(frozen=True)
class DemoPerson:
    """Someone to sign in as: what the dev issuer puts in their token, and how they read."""

    sub: str
    name: str
    operator_id: str
    groups: tuple[str, ...]
    role: str  # in words, for the sign-in page and the header

    @property
    def key(self) -> str:
        """The sign-in form's value: unique across operators."""
        return f"{self.operator_id}/{self.sub}"

    @property
    def email(self) -> str:
        return f"{self.sub}@{self.operator_id}.example"


def demo_people(operator: str = DEMO_OPERATOR, vendor: str = VENDOR) -> tuple[DemoPerson, ...]:
    """Three people of a demo operator (each kind of screen) and the vendor's support person."""
    return (
        DemoPerson("alice.officer", "Alice Officer", operator, ("compliance_officer",),
                   "Compliance officer"),
        DemoPerson("kai.analyst", "Kai Analyst", operator, ("kyc_analyst",),
                   "Learner, KYC analyst"),
        DemoPerson("olga.admin", "Olga Admin", operator, ("operator_admin",), "Operator admin"),
        DemoPerson("sam.support", "Sam Support", vendor, ("academy_support",),
                   "Academy support, vendor"),
    )  # fmt: skip


def placed_elements(person: DemoPerson, *, staff_tenant: str = VENDOR) -> list[str]:
    """The UI kit's elements for this person's roles, as the portal's Certification tab places
    them: operator staff learn and hold certificates; officers and admins also see their
    operator's overview; the vendor's support staff get the support console."""
    groups = set(person.groups)
    if person.operator_id == staff_tenant:
        return [SUPPORT_ELEMENT] if groups & SUPPORT_ROLES else []
    elements = list(STAFF_ELEMENTS)
    if groups & OVERVIEW_ROLES:
        elements.append(OVERVIEW_ELEMENT)
    return elements


def sees_every_operator(person: DemoPerson, *, staff_tenant: str = VENDOR) -> bool:
    """Vendor support watches every operator's tooling; anyone else sees their own operator's."""
    return person.operator_id == staff_tenant and bool(set(person.groups) & SUPPORT_ROLES)
