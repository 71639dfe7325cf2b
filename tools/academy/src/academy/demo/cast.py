"""The pilot's cast: operators, staff, planned outcomes, and what the policies expect."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

DEMO_STATE_DIR = Path(".state/demo")
CLOCKED = ("catalogue", "assessment", "release-bridge", "audit-export", "portal")
EXPORT_AT_UTC = "00:10"
GSC_COOLDOWN_SHIFT = timedelta(hours=49)  # longest cooldown in the bundled content: GSC 48 h


# -- the pilot, decided up front ------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    operator: str
    sub: str
    name: str
    role: str
    # jurisdiction -> outcomes of the planned attempts ("fail" then "pass", or just "pass");
    # jurisdictions not listed are passed first time.
    plan: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return f"{self.sub}@{self.operator}.example"

    def outcomes(self, jurisdiction: str) -> tuple[str, ...]:
        return self.plan.get(jurisdiction, ("pass",))


@dataclass(frozen=True)
class Operator:
    id: str
    name: str
    jurisdictions: tuple[str, ...]


OPERATORS = (
    Operator("northstar-gaming", "NorthStar Gaming Ltd", ("MGA", "GSC", "GCB")),
    Operator("bluewave-casino", "BlueWave Casino N.V.", ("MGA", "GCB")),
    Operator("kestrel-bet", "Kestrel Bet plc", ("GSC", "MGA")),
)

FAIL_THEN_PASS = ("fail", "pass")

STAFF = (
    # NorthStar Gaming: MGA, GSC, GCB. Its compliance officer recertifies for GSC later.
    Staff("northstar-gaming", "maria.borg", "Maria Borg", "compliance_officer"),
    Staff("northstar-gaming", "daniel.quinn", "Daniel Quinn", "mlro"),
    Staff("northstar-gaming", "sofia.camilleri", "Sofia Camilleri", "kyc_analyst"),
    Staff("northstar-gaming", "tomas.novak", "Tomas Novak", "kyc_analyst", {"GSC": FAIL_THEN_PASS}),
    Staff("northstar-gaming", "aisha.rahman", "Aisha Rahman", "kyc_analyst"),
    Staff("northstar-gaming", "liam.oconnor", "Liam O'Connor", "customer_support"),
    Staff("northstar-gaming", "elena.vella", "Elena Vella", "customer_support"),
    Staff("northstar-gaming", "jonas.berg", "Jonas Berg", "customer_support"),
    Staff("northstar-gaming", "priya.nair", "Priya Nair", "customer_support"),
    Staff("northstar-gaming", "mark.zammit", "Mark Zammit", "customer_support"),
    # BlueWave Casino: MGA, GCB. A second compliance officer fails GCB first.
    Staff("bluewave-casino", "ricardo.martina", "Ricardo Martina", "compliance_officer"),
    Staff(
        "bluewave-casino",
        "nadia.statia",
        "Nadia Statia",
        "compliance_officer",
        {"GCB": FAIL_THEN_PASS},
    ),
    Staff("bluewave-casino", "peter.janssen", "Peter Janssen", "mlro"),
    Staff("bluewave-casino", "chloe.dubois", "Chloe Dubois", "kyc_analyst"),
    Staff("bluewave-casino", "kofi.mensah", "Kofi Mensah", "kyc_analyst"),
    Staff("bluewave-casino", "ana.rojas", "Ana Rojas", "kyc_analyst"),
    Staff(
        "bluewave-casino",
        "luca.ferri",
        "Luca Ferri",
        "customer_support",
        {"MGA": FAIL_THEN_PASS},
    ),
    Staff("bluewave-casino", "mei.chen", "Mei Chen", "customer_support"),
    Staff("bluewave-casino", "oliver.smith", "Oliver Smith", "customer_support"),
    Staff("bluewave-casino", "fatima.elamin", "Fatima El-Amin", "customer_support"),
    # Kestrel Bet: GSC, MGA. Its MLRO fails GSC, so support force-releases GSC; the MLRO
    # passes after the cooldown (the release stays the one override).
    Staff("kestrel-bet", "hannah.kelly", "Hannah Kelly", "compliance_officer"),
    Staff("kestrel-bet", "gareth.quayle", "Gareth Quayle", "mlro", {"GSC": FAIL_THEN_PASS}),
    Staff("kestrel-bet", "isla.christian", "Isla Christian", "kyc_analyst"),
    Staff("kestrel-bet", "ryan.corlett", "Ryan Corlett", "kyc_analyst", {"MGA": FAIL_THEN_PASS}),
    Staff("kestrel-bet", "zara.ahmed", "Zara Ahmed", "kyc_analyst"),
    Staff("kestrel-bet", "ben.kinvig", "Ben Kinvig", "customer_support"),
    Staff("kestrel-bet", "lucy.cregeen", "Lucy Cregeen", "customer_support"),
    Staff("kestrel-bet", "sam.teare", "Sam Teare", "customer_support"),
    Staff("kestrel-bet", "nina.kaur", "Nina Kaur", "customer_support"),
    Staff("kestrel-bet", "owen.price", "Owen Price", "customer_support"),
)

OVERRIDE = (
    "kestrel-bet",
    "GSC",
    "Go-live date agreed with the GSC; MLRO (G. Quayle) retakes the exam after the cooldown. "
    "Approved by the vendor's head of compliance (ticket SUP-4711).",
)
RECERTIFY = ("northstar-gaming", "maria.borg", "GSC")
# Support waives one compliance officer's GCB training instead of him taking the lessons; he
# is BlueWave's only GCB compliance officer to pass first time, so the GCB release rests on an
# untrained certificate and its evidence says so (trained_before_release false, revision 2).
WAIVER = (
    "bluewave-casino",
    "ricardo.martina",
    "GCB",
    "Completed the equivalent GCB AML/CFT course with his previous employer (certificate on "
    "file); waiver approved by the vendor's head of compliance (ticket SUP-4720).",
)


def waived(staff: Staff, jurisdiction: str) -> bool:
    return (staff.operator, staff.sub, jurisdiction) == WAIVER[:3]


@dataclass(frozen=True)
class Expected:
    released: bool
    reason: str  # certification | manual_override | ""
    missing: str  # what the policy still lacked at go-live (for the summary)
    trained: bool = True  # a certified staff member the release rests on took every module


def expectations(policies: dict[str, list[tuple[str, int]]]) -> dict[tuple[str, str], Expected]:
    """What the release policies say must happen, from the plan alone.

    Releases happen before any clock shift, so only first attempts that pass count; a
    release is trained when a certified staff member of a policy role was not waived.
    """
    out: dict[tuple[str, str], Expected] = {}
    for operator in OPERATORS:
        for jurisdiction in operator.jurisdictions:
            passed = [
                s
                for s in STAFF
                if s.operator == operator.id and s.outcomes(jurisdiction)[0] == "pass"
            ]
            certified = Counter(s.role for s in passed)
            missing = [
                f"{count - certified[role]} {role}"
                for role, count in policies[jurisdiction]
                if certified[role] < count
            ]
            roles = {role for role, _ in policies[jurisdiction]}
            trained = any(s.role in roles and not waived(s, jurisdiction) for s in passed)
            if not missing:
                out[(operator.id, jurisdiction)] = Expected(True, "certification", "", trained)
            elif (operator.id, jurisdiction) == OVERRIDE[:2]:
                out[(operator.id, jurisdiction)] = Expected(
                    True, "manual_override", ", ".join(missing)
                )
            else:
                out[(operator.id, jurisdiction)] = Expected(False, "", ", ".join(missing))
    return out


# -- the mesh ---------------------------------------------------------------------------------
