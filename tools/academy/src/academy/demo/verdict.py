"""Comparing what happened (portal, API, verified packs) with what the plan says should."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from academy.demo.cast import OPERATORS, RECERTIFY, STAFF, WAIVER, Expected, Staff, waived
from academy.demo.harness import Pilot, call
from academy.demo.packs import PackContents
from academy.demo.register_check import RegisterFindings, check_register


@dataclass
class Row:
    """One operator and jurisdiction: the release the policy called for and its evidence."""

    operator: str
    jurisdiction: str
    policy: str
    expected: Expected
    released: bool = False
    reason: str = ""
    to_release: timedelta | None = None
    evidence_ok: bool = False
    note: str = ""


@dataclass
class StaffRow:
    """One staff member: per jurisdiction, modules completed (from the API) and exam outcomes."""

    operator: str
    name: str
    role: str
    tracks: dict[str, str] = field(default_factory=dict)  # jurisdiction -> "7/7 pass"
    lessons: int = 0  # lessons the demo opened and completed for them
    register: str = "-"  # certificates the packs' training register shows trained: "3/3"


def compare_releases(
    pilot: Pilot,
    expected: dict[tuple[str, str], Expected],
    unlocks: dict[tuple[str, str], dict[str, Any]],
    packs: PackContents,
) -> list[Row]:
    rows: list[Row] = []
    for (opid, jur), exp in sorted(expected.items()):
        policy = " + ".join(f"{c} {r}" for r, c in dict(pilot.policies[jur]).items())
        row = Row(opid, jur, policy, exp)
        unlock = unlocks.get((opid, jur))
        if unlock is not None:
            row.released = unlock["state"] == "unlocked"
            row.reason = unlock["reason"]
            at = datetime.fromisoformat(unlock["unlocked_at"])
            row.to_release = at - pilot.first_sign_in[opid]
            if unlock["times_unlocked"] != 1 or unlock["deliveries"] != 1:
                pilot.problem(
                    f"{opid} {jur}: unlocked {unlock['times_unlocked']}x, "
                    f"delivered {unlock['deliveries']}x (expected once)"
                )
        if row.released != exp.released or (exp.released and row.reason != exp.reason):
            pilot.problem(
                f"{opid} {jur}: expected released={exp.released} ({exp.reason or '-'}), "
                f"got released={row.released} ({row.reason or '-'})"
            )
        ev = packs.evidence.get((opid, jur), [])
        if exp.released:
            if len(ev) != 1:
                pilot.problem(f"{opid} {jur}: {len(ev)} release-evidence rows, expected 1")
            elif unlock is not None and ev[0]["release_id"] != unlock["release_id"]:
                pilot.problem(f"{opid} {jur}: evidence names another release")
            else:
                _judge_evidence(row, ev[0])
                if not row.evidence_ok:
                    pilot.problem(f"{opid} {jur}: evidence not OK: {ev[0]}")
        elif ev:
            pilot.problem(f"{opid} {jur}: unexpected release evidence")
        rows.append(row)
    extra = set(unlocks) - set(expected)
    if extra:
        pilot.problem(f"unexpected unlocks: {sorted(extra)}")
    return rows


def _judge_evidence(row: Row, e: dict[str, str]) -> None:
    if row.expected.reason == "manual_override":
        row.evidence_ok = bool(e["override_actor"] and e["override_reason"])
        row.note = f"override by {e['override_actor']}"
        return
    # A revision-1 pack (no training register) judges certificates, not training.
    want = row.expected.trained or e["pack_revision"] == "1"
    row.evidence_ok = e["trained_before_release"] == str(want).lower()
    row.note = f"{len(e['certificate_ids'].split(';'))} certificate(s), " + (
        "trained before release" if row.expected.trained else "training waived"
    )
    if not row.expected.trained:
        row.note += f": trained_before_release {e['trained_before_release']}"


def training_table(pilot: Pilot, packs: PackContents) -> list[StaffRow]:
    """Modules completed per staff member and track from the operator view
    (`GET /v1/operators/{op}/staff`), checked against the training the demo did and, when the
    packs carry it, against the training register."""
    for op in OPERATORS:
        if packs.trainings[op.id] != pilot.submissions[op.id]:
            pilot.problem(
                f"{op.id}: {packs.trainings[op.id]} training records in the packs, "
                f"{pilot.submissions[op.id]} exams submitted"
            )
    waived_keys = {
        (pilot.staff_ids[s.sub], f"{WAIVER[2]}.{s.role}") for s in STAFF if waived(s, WAIVER[2])
    }
    register = check_register(packs.issued, packs.register, waived=waived_keys)
    if packs.register_packs:
        for problem in register.problems:
            pilot.problem(f"training register: {problem}")
    progress: dict[tuple[str, str], dict[str, Any]] = {}
    assessment = pilot.url("assessment")
    for op in OPERATORS:
        officer = next(s for s in STAFF if s.operator == op.id and s.role == "compliance_officer")
        view = call("GET", f"{assessment}/v1/operators/{op.id}/staff", token=pilot.token(officer))
        progress.update({(r["staff_id"], r["track_key"]): r for r in view["rows"]})
    return [_staff_row(pilot, s, progress, register, bool(packs.register_packs)) for s in STAFF]


def _staff_row(
    pilot: Pilot,
    staff: Staff,
    progress: dict[tuple[str, str], dict[str, Any]],
    register: RegisterFindings,
    have_register: bool,
) -> StaffRow:
    row = StaffRow(staff.operator, staff.name, staff.role)
    staff_id = pilot.staff_ids[staff.sub]
    counts: Counter[str] = Counter()
    for (sub, track_key), trained in sorted(pilot.trained.items()):
        if sub != staff.sub:
            continue
        jurisdiction = track_key.split(".")[0]
        row.lessons += trained.lessons_read
        api = progress.get((staff_id, track_key))
        if api is None:
            pilot.problem(f"{staff.name} {track_key}: not in the operator's staff view")
            continue
        done, total = api["modules_completed"], api["modules_total"]
        if (done, total) != (trained.modules_completed, trained.modules_total) or (
            (done < total) != trained.waived
        ):
            pilot.problem(
                f"{staff.name} {track_key}: staff view shows modules {done}/{total}, the "
                f"training gave {trained.modules_completed}/{trained.modules_total}"
                + (" (waived)" if trained.waived else "")
            )
        outcomes = "->".join(staff.outcomes(jurisdiction))
        if (staff.operator, staff.sub, jurisdiction) == RECERTIFY:
            outcomes += ", renewed"
        row.tracks[jurisdiction] = f"{done}/{total}" + (" waived" if trained.waived else "")
        row.tracks[jurisdiction] += f" {outcomes}"
        key = (staff_id, track_key)
        counts["trained"] += register.trained.get(key, 0)
        counts["untrained"] += register.untrained.get(key, 0)
        if have_register and not register.trained.get(key, 0) + register.untrained.get(key, 0):
            pilot.problem(f"{staff.name} {track_key}: no certificate in the training register")
    if have_register:
        certs = counts["trained"] + counts["untrained"]
        row.register = f"{counts['trained']}/{certs}" + (
            f" ({counts['untrained']} waived)" if counts["untrained"] else ""
        )
    return row
