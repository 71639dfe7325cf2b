"""The scripted pilot itself: training, exams, retakes, override, recertification."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from academy.demo.cast import (
    EXPORT_AT_UTC,
    GSC_COOLDOWN_SHIFT,
    OPERATORS,
    OVERRIDE,
    RECERTIFY,
    STAFF,
    WAIVER,
    Expected,
    Staff,
    waived,
)
from academy.demo.harness import Pilot, call, wait_for
from academy.demo.packs import _count_in_log, _verify_packs, _wait_for_packs
from academy.demo.verdict import Row, StaffRow, compare_releases, training_table
from academy.local.loopback import go_live_when_published


def _play(
    pilot: Pilot, expected: dict[tuple[str, str], Expected]
) -> tuple[list[Row], list[StaffRow]]:
    say = pilot.say
    assessment = pilot.url("assessment")
    admin = pilot.mint("academy.admin", "academy-vendor", ["academy_admin"])
    support = pilot.mint(
        "sam.support",
        "academy-vendor",
        ["academy_support"],
        name="Sam Support",
        email="sam.support@academy-vendor.example",
    )

    # 1. Go-live jurisdictions, set by the vendor's academy admin onboarding each operator
    #    (new_operator), once assessment has the catalogue's tracks (a 422 until then).
    for op in OPERATORS:
        go_live_when_published(
            assessment,
            op.id,
            list(op.jurisdictions),
            token=admin,
            reason=f"pilot onboarding of {op.name}",
        )
    day0 = pilot.sim_now().date()
    say(
        "pilot: "
        + "; ".join(f"{op.id} -> {', '.join(op.jurisdictions)}" for op in OPERATORS)
        + f"; {len(STAFF)} staff"
    )

    # 2. The catalogue reaches assessment through Kafka: wait until tracks show.
    probe = STAFF[0]
    wait_for("tracks in assessment", lambda: bool(pilot.tracks_of(probe)), timeout=120)

    # 3. Round 1: everyone signs in, reads and completes every lesson of each track in order
    #    (one waived by support instead) and takes each exam once.
    retakes: list[tuple[Staff, str]] = []

    def round_one(staff: Staff) -> None:
        pilot.sign_in(staff)
        for track_key in pilot.tracks_of(staff):
            jurisdiction = track_key.split(".")[0]
            if waived(staff, jurisdiction):
                pilot.waive(staff, track_key, WAIVER[3], support=support)
            else:
                pilot.train(staff, track_key)
            outcomes = staff.outcomes(jurisdiction)
            pilot.sit_exam(staff, track_key, outcomes[0])
            if len(outcomes) > 1:
                with pilot.lock:
                    retakes.append((staff, track_key))

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(round_one, STAFF))
    trained = [t for t in pilot.trained.values() if not t.waived]
    say(
        f"round 1: {sum(t.lessons_read for t in trained)} lessons opened and completed "
        f"({len(trained)} tracks, every module before the exam), "
        f"{sum(pilot.submissions.values())} exams submitted, "
        f"{len(retakes)} planned fails (cooldown before the retake)"
    )
    for waiver in pilot.waivers:
        say(
            f"{waiver['staff_id']} ({waiver['operator_id']}) was refused the "
            f"{waiver['track_key']} exam untrained (409 training_incomplete); "
            f"{waiver['actor']} waived {len(waiver['modules_waived'])} modules: {waiver['reason']}"
        )

    # 4. The portal unlocks what the policies release by certification.
    portal = pilot.url("portal")
    by_cert = {k for k, e in expected.items() if e.reason == "certification"}

    def unlocked() -> dict[tuple[str, str], dict[str, Any]]:
        return {(u["operator_id"], u["jurisdiction"]): u for u in call("GET", f"{portal}/unlocks")}

    wait_for(
        f"{len(by_cert)} unlocks on the portal", lambda: by_cert <= set(unlocked()), timeout=120
    )
    say(f"portal: {len(by_cert)} jurisdictions unlocked by certification")

    # 5. The override: policy not met (readiness says what is missing), support releases.
    op_id, jurisdiction, reason = OVERRIDE
    officer = next(s for s in STAFF if s.operator == op_id and s.role == "compliance_officer")
    readiness = call(
        "GET", f"{assessment}/v1/operators/{op_id}/readiness", token=pilot.token(officer)
    )
    state = next(j for j in readiness["jurisdictions"] if j["jurisdiction"] == jurisdiction)
    if state["met"]:
        pilot.problems.append(f"{op_id} {jurisdiction}: policy met before the override")
    say(f"readiness {op_id} {jurisdiction}: met={state['met']}, missing={state['missing']}")
    if (op_id, jurisdiction) in unlocked():
        pilot.problems.append(f"{op_id} {jurisdiction} unlocked before the override")
    forced = call(
        "POST",
        f"{pilot.url('release-bridge')}/v1/support/releases",
        {"operator_id": op_id, "jurisdiction": jurisdiction, "reason": reason},
        token=support,
    )
    say(f"support force-released {op_id} {jurisdiction} (release {forced['release_id']})")
    released = {k for k, e in expected.items() if e.released}
    wait_for("the override's unlock", lambda: released <= set(unlocked()), timeout=60)

    # 6. Cooldowns pass (GSC: 48 h): the planned retakes pass.
    say("shifting every clock by 49 h (cooldowns end) …")
    pilot.shift_clocks(GSC_COOLDOWN_SHIFT)

    def retake(item: tuple[Staff, str]) -> None:
        staff, track_key = item
        pilot.sit_exam(staff, track_key, "pass")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(retake, retakes))
    say(
        f"round 2: {len(retakes)} retakes after the cooldown: "
        + ", ".join(f"{s.name} ({t})" for s, t in retakes)
    )

    # 7. Recertification: move into the window of the first GSC certificate, pass again.
    _, rsub, rjur = RECERTIFY
    rstaff = next(s for s in STAFF if s.sub == rsub)
    certs = call("GET", f"{assessment}/v1/me/certificates", token=pilot.token(rstaff))
    old = next(c for c in certs["certificates"] if c["jurisdiction"] == rjur)
    opens = datetime.fromisoformat(old["recert_window_opens_at"].replace("Z", "+00:00"))
    target = opens + timedelta(days=1)
    say(
        f"shifting into {rstaff.name}'s {rjur} recertification window "
        f"(expires {old['expires_at'][:10]}, window opens {opens:%Y-%m-%d}) …"
    )
    pilot.shift_clocks(target - datetime.now(UTC))
    recert_day = pilot.sim_now().date()
    outcome = pilot.sit_exam(rstaff, f"{rjur}.{rstaff.role}", "pass")
    certs = call("GET", f"{assessment}/v1/me/certificates", token=pilot.token(rstaff))[
        "certificates"
    ]
    new = next(c for c in certs if c["certificate_id"] == outcome["certificate"]["certificate_id"])
    old_now = next(c for c in certs if c["certificate_id"] == old["certificate_id"])
    if new.get("recertifies") != old["certificate_id"] or old_now["status"] != "superseded":
        pilot.problems.append(
            f"recertification: new recertifies={new.get('recertifies')}, "
            f"old status={old_now['status']}"
        )
    say(
        f"{rstaff.name} recertified for {rjur}: certificate {new['certificate_id'][:8]}… "
        f"(valid until {new['expires_at'][:10]}) renews {old['certificate_id'][:8]}… "
        f"(now {old_now['status']})"
    )

    # 8. Everything submitted reached the audit log before the night seals the day.
    auditor = pilot.mint("ines.inspector", "academy-vendor", ["academy_auditor"])
    wait_for(
        "every exam submission in the audit log",
        lambda: all(
            _count_in_log(pilot, auditor, op.id, "academy.attempt.submitted.v1")
            >= pilot.submissions[op.id]
            for op in OPERATORS
        ),
        timeout=120,
        every=1.0,
    )

    # 9. The night: move past the next export time; every day's pack must arrive.
    night = datetime.combine(recert_day + timedelta(days=1), datetime.min.time(), UTC)
    hh, mm = (int(x) for x in EXPORT_AT_UTC.split(":"))
    night += timedelta(hours=hh, minutes=mm + 1)
    say(f"shifting to the night after ({night:%Y-%m-%d %H:%M} UTC); waiting for the audit packs …")
    pilot.shift_clocks(night - datetime.now(UTC))
    waited = time.monotonic()
    packs = _wait_for_packs(pilot, day0, recert_day)
    total = sum(len(p) for p in packs.values())
    say(f"{total} audit packs delivered in {time.monotonic() - waited:.0f}s after the last shift")

    # 10. Verify every pack, read the evidence and the training register.
    contents = _verify_packs(pilot, packs)

    # 11. Compare with the expectations.
    rows = compare_releases(pilot, expected, unlocked(), contents)
    staff_rows = training_table(pilot, contents)
    say(
        "training records in the packs: "
        + ", ".join(
            f"{op.id} {contents.trainings[op.id]}/{pilot.submissions[op.id]}" for op in OPERATORS
        )
    )
    return rows, staff_rows
