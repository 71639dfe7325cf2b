"""`academy demo`: a scripted pilot onboarding against a fresh local mesh.

Starts the mesh as `academy up` does (own state directory and ports, so it runs beside
`make up`), then plays a pilot through the public APIs only:

- three operators go live in two or three jurisdictions each (admin API);
- about 30 staff with realistic roles and names sign in (dev issuer tokens, as the portal's
  Okta session would), complete their modules and take their exams;
- some fail an exam and pass a later attempt once the cooldown is over (the services' clocks
  are shifted with `PUT /_dev/clock`, a local-mode convenience);
- support force-releases one jurisdiction whose release policy is not met, with a reason;
- one compliance officer recertifies after the clocks move into the recertification window;
- the demo waits for the reference portal's unlocks and the nightly audit packs in the local
  SFTP archive, verifies every pack (`academy audit verify` as a subprocess for each
  operator's latest pack, the same verifier in-process for the others), prints a summary and
  exits 0 only when everything matches what the release policies say should happen.

Answer keys: to pass (or deliberately fail) exams the demo reads the bundled catalogue content
with the catalogue's domain code (`catalogue.domain.resolve(BUNDLED_CONTENT_DIR)`): the content
authors' own files, as a trainee's crib sheet would be; no service API reveals a key.

Simulated time. Every service (and the portal) gets the same forward clock offset. Two
things keep the run short and honest:

- The release bridge decides and signs with the wall clock (see the report of issue 7), so
  every release happens before the first shift; fail-then-pass staff are ones whose
  certificate does not gate a release (or gate one already released by the override).
- The audit export builds one pack per operator per UTC day from the first record on, so
  the recertification shift (~15 months: the GSC window opens 90 days before an 18-month
  expiry) makes it catch up ~460 empty days per operator. That is real behaviour; the demo
  shifts once into the window, recertifies, moves to just after the next night's export
  time, and requires every pack from the chain's start up to that last simulated night.
"""

import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from academy.local.mesh import Child, Mesh, Ports
from academy.services import SERVICES, ServiceSpec, service_env

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


@dataclass(frozen=True)
class Expected:
    released: bool
    reason: str  # certification | manual_override | ""
    missing: str  # what the policy still lacked at go-live (for the summary)


def expectations(policies: dict[str, list[tuple[str, int]]]) -> dict[tuple[str, str], Expected]:
    """What the release policies say must happen, from the plan alone.

    Releases happen before any clock shift, so only first attempts that pass count.
    """
    out: dict[tuple[str, str], Expected] = {}
    for operator in OPERATORS:
        for jurisdiction in operator.jurisdictions:
            certified = Counter(
                s.role
                for s in STAFF
                if s.operator == operator.id and s.outcomes(jurisdiction)[0] == "pass"
            )
            missing = [
                f"{count - certified[role]} {role}"
                for role, count in policies[jurisdiction]
                if certified[role] < count
            ]
            if not missing:
                out[(operator.id, jurisdiction)] = Expected(True, "certification", "")
            elif (operator.id, jurisdiction) == OVERRIDE[:2]:
                out[(operator.id, jurisdiction)] = Expected(
                    True, "manual_override", ", ".join(missing)
                )
            else:
                out[(operator.id, jurisdiction)] = Expected(False, "", ", ".join(missing))
    return out


# -- the mesh ---------------------------------------------------------------------------------


@dataclass
class DemoMesh(Mesh):
    """The local mesh with the pilot's three operators as SFTP archive targets."""

    operators: tuple[str, ...] = tuple(o.id for o in OPERATORS)

    def start_infrastructure(self) -> None:
        # With DATABASE_URL, use a database of our own (dropped first) so `make up` is untouched.
        from academy.local import postgres

        if self.database_url is None and (server := os.environ.get("DATABASE_URL")):
            postgres.drop_database(server, "academy_demo")
            self.database_url = postgres.create_database(server, "academy_demo")
        super().start_infrastructure()

    def plan(self) -> list[Child]:
        children = super().plan()
        for child in children:
            if child.name == "sftp-archive":
                for operator in self.operators:
                    child.argv += ["--operator", operator]
        return children

    def service_extra(self, spec: ServiceSpec) -> dict[str, str]:
        extra = super().service_extra(spec)
        if spec.name == "assessment":
            extra["SCHEDULER_INTERVAL_S"] = "5"
        if spec.name == "audit-export":
            from academy.local import sftp_archive

            sftp_dir = self.state_dir / "sftp"
            client_key, host_key = sftp_dir / "client_key", sftp_dir / "host_key"
            sftp_archive.ensure_key(host_key)
            sftp_archive.ensure_key(client_key)
            targets = {
                operator: {
                    "host": "127.0.0.1",
                    "port": self.ports.sftp,
                    "username": "archive",
                    "private_key_path": str(client_key),
                    "host_key_fingerprint": sftp_archive.fingerprint(host_key),
                    "remote_dir": f"/{operator}",
                }
                for operator in self.operators
            }
            extra["SFTP_TARGETS"] = json.dumps(targets)
            # The service does not create its work directory (see the demo's report).
            work_dir = Path(extra.get("EXPORT_WORK_DIR", self.state_dir / "audit-export-work"))
            work_dir.mkdir(parents=True, exist_ok=True)
            extra["EXPORT_WORK_DIR"] = str(work_dir)
            extra["EXPORT_POLL_INTERVAL_S"] = "1"
            extra["EXPORT_AT_UTC"] = EXPORT_AT_UTC
            extra["EXPORT_RETRY_BASE_S"] = "2"
            extra["EXPORT_RETRY_CAP_S"] = "10"
        return extra

    def archive_dir(self, operator: str) -> Path:
        return self.state_dir / "sftp" / "archive" / operator


# -- HTTP -------------------------------------------------------------------------------------


class ApiError(RuntimeError):
    def __init__(self, method: str, url: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {url} -> {status}: {body}")
        self.status = status
        self.body = body


def call(
    method: str,
    url: str,
    body: Any = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    retries: int = 3,
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    for attempt in range(retries + 1):
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                parsed: Any = json.loads(raw)
            except ValueError:
                parsed = raw.decode(errors="replace")
            if exc.code >= 500 and attempt < retries:
                time.sleep(0.5 * (attempt + 1))
                continue
            raise ApiError(method, url, exc.code, parsed) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if attempt >= retries:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def wait_for(what: str, check: Callable[[], bool], *, timeout: float, every: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


# -- the run ----------------------------------------------------------------------------------


class Failed(Exception):
    """An expectation did not hold."""


@dataclass
class Pilot:
    mesh: DemoMesh
    say: Callable[[str], None]
    keys: dict[str, dict[str, tuple[str, ...]]]  # track key -> question id -> correct options
    policies: dict[str, list[tuple[str, int]]]  # jurisdiction -> (role, count) requirements
    offset: timedelta = timedelta(0)
    tokens: dict[str, str] = field(default_factory=dict)
    first_sign_in: dict[str, datetime] = field(default_factory=dict)
    submissions: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, name: str) -> str:
        return self.mesh.url(name)

    def sim_now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def mint(self, sub: str, operator: str, groups: list[str], **claims: str) -> str:
        body = {"sub": sub, "operator_id": operator, "groups": groups, "ttl_s": 12 * 3600}
        token: str = call("POST", f"{self.url('issuer')}/token", {**body, **claims})["access_token"]
        return token

    def token(self, staff: Staff) -> str:
        if staff.sub not in self.tokens:
            self.tokens[staff.sub] = self.mint(
                staff.sub, staff.operator, [staff.role], name=staff.name, email=staff.email
            )
        return self.tokens[staff.sub]

    def shift_clocks(self, offset: timedelta) -> None:
        assert offset >= self.offset, "clock offsets only move forward"
        for name in CLOCKED:
            call("PUT", f"{self.url(name)}/_dev/clock", {"offset_seconds": offset.total_seconds()})
        self.offset = offset
        self.say(f"  clocks of all services now at {self.sim_now():%Y-%m-%d %H:%M} UTC (simulated)")

    # staff actions ---------------------------------------------------------------------------

    def sign_in(self, staff: Staff) -> dict[str, Any]:
        at = self.sim_now()
        me: dict[str, Any] = call("GET", f"{self.url('assessment')}/v1/me", token=self.token(staff))
        with self.lock:
            self.first_sign_in.setdefault(staff.operator, at)
            self.first_sign_in[staff.operator] = min(self.first_sign_in[staff.operator], at)
        return me

    def train(self, staff: Staff, track_key: str) -> None:
        base = f"{self.url('assessment')}/v1/me/tracks/{track_key}"
        detail = call("GET", base, token=self.token(staff))
        for module in detail["modules"]:
            if not module["completed"]:
                call("PUT", f"{base}/modules/{module['id']}/completion", token=self.token(staff))

    def sit_exam(self, staff: Staff, track_key: str, outcome: str) -> dict[str, Any]:
        token = self.token(staff)
        paper = call(
            "POST", f"{self.url('assessment')}/v1/me/tracks/{track_key}/attempts", token=token
        )
        key = self.keys[track_key]
        questions = paper["paper"]["questions"]
        rng = random.Random(paper["attempt_id"])  # noqa: S311 - not security
        # A pass answers every question right; a fail gets about half wrong.
        wrong = (
            set(rng.sample(range(len(questions)), len(questions) // 2))
            if outcome == "fail"
            else set()
        )
        answers: dict[str, list[str]] = {}
        for i, question in enumerate(questions):
            correct = list(key[question["id"]])
            if i in wrong:
                others = [o["id"] for o in question["options"] if o["id"] not in correct]
                answers[question["id"]] = [others[0]] if others else []
            else:
                answers[question["id"]] = correct
        result: dict[str, Any] = call(
            "POST",
            f"{self.url('assessment')}/v1/me/attempts/{paper['attempt_id']}/submission",
            {"answers": answers},
            token=token,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        with self.lock:
            self.submissions[staff.operator] += 1
        if result["result"] != outcome:
            with self.lock:
                self.problems.append(
                    f"{staff.name} {track_key}: expected {outcome}, got {result['result']}"
                )
        return result

    def tracks_of(self, staff: Staff) -> list[str]:
        tracks = call("GET", f"{self.url('assessment')}/v1/me/tracks", token=self.token(staff))
        return sorted(t["track_key"] for t in tracks["tracks"])


def answer_keys() -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, list[tuple[str, int]]]]:
    """Answer keys per track and release policies, from the content authors' bundled files."""
    from catalogue.bundled import BUNDLED_CONTENT_DIR
    from catalogue.domain import resolve

    resolved = resolve(BUNDLED_CONTENT_DIR)
    keys = {t.key: {q.id: tuple(q.correct) for q in t.question_pool} for t in resolved.tracks}
    policies = {p.jurisdiction: list(p.requirements) for p in resolved.release_policies}
    return keys, policies


def publish_catalogue(mesh: Mesh) -> None:
    catalogue = next(spec for spec in SERVICES if spec.name == "catalogue")
    env = service_env(
        catalogue,
        database_url=str(mesh.database_url),
        kafka=str(mesh.kafka_bootstrap),
        port=mesh.ports.catalogue,
        extra={},
    )
    done = subprocess.run(
        [sys.executable, "-m", "academy", "catalogue", "publish"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode != 0:
        raise RuntimeError(f"publishing the catalogue failed:\n{done.stderr[-2000:]}")


def run_demo(
    *,
    state_dir: Path = DEMO_STATE_DIR,
    base_port: int = 8300,
    kafka_port: int = 19392,
    echo: Callable[[str], None] = print,
) -> int:
    """Run the pilot on a fresh mesh; 0 when everything came out as expected."""
    started = time.monotonic()

    def say(message: str) -> None:
        echo(f"[{time.monotonic() - started:6.1f}s] {message}")

    state_dir = state_dir.resolve()
    if state_dir.exists():
        shutil.rmtree(state_dir)
    mesh = DemoMesh(state_dir=state_dir, ports=Ports.from_base(base_port, kafka=kafka_port))

    def on_term(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and SIGTERM both end the run and stop the mesh (set explicitly: a shell that
    # starts the demo in the background makes it inherit an ignored SIGINT).
    previous = {sig: signal.signal(sig, on_term) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        say(f"starting a fresh mesh in {state_dir} (ports {base_port}+, Kafka {kafka_port}) …")
        mesh.start_infrastructure()
        mesh.start_processes()
        mesh.wait_ready()
        say("mesh ready; publishing the bundled catalogue")
        publish_catalogue(mesh)
        keys, policies = answer_keys()
        pilot = Pilot(mesh, say, keys, policies)
        expected = expectations(policies)
        rows = _play(pilot, expected)
        say(f"done in {time.monotonic() - started:.0f}s")
        _print_summary(echo, rows)
        if pilot.problems:
            echo("\nFAILED: " + str(len(pilot.problems)) + " expectation(s) did not hold:")
            for problem in pilot.problems:
                echo(f"  - {problem}")
            return 1
        echo("\nOK: every release, unlock, certificate and audit pack came out as expected.")
        return 0
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except Exception as exc:
        say(f"FAILED: {type(exc).__name__}: {exc}")
        say(f"logs: {state_dir}/logs/")
        return 1
    finally:
        say("stopping the mesh …")
        mesh.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        say(f"stopped after {time.monotonic() - started:.0f}s in total")


@dataclass
class Row:
    operator: str
    jurisdiction: str
    policy: str
    expected: Expected
    released: bool = False
    reason: str = ""
    to_release: timedelta | None = None
    evidence_ok: bool = False
    note: str = ""


def _play(pilot: Pilot, expected: dict[tuple[str, str], Expected]) -> list[Row]:
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

    # 1. Go-live jurisdictions, set by the vendor's academy admin.
    for op in OPERATORS:
        call(
            "PUT",
            f"{assessment}/v1/admin/operators/{op.id}/jurisdictions",
            {"jurisdictions": list(op.jurisdictions), "reason": f"pilot onboarding of {op.name}"},
            token=admin,
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

    # 3. Round 1: everyone signs in, trains and takes each exam once.
    retakes: list[tuple[Staff, str]] = []

    def round_one(staff: Staff) -> None:
        pilot.sign_in(staff)
        for track_key in pilot.tracks_of(staff):
            jurisdiction = track_key.split(".")[0]
            pilot.train(staff, track_key)
            outcomes = staff.outcomes(jurisdiction)
            pilot.sit_exam(staff, track_key, outcomes[0])
            if len(outcomes) > 1:
                with pilot.lock:
                    retakes.append((staff, track_key))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(round_one, STAFF))
    say(
        f"round 1: {sum(pilot.submissions.values())} exams submitted, "
        f"{len(retakes)} planned fails (cooldown before the retake)"
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

    # 10. Verify every pack, read the evidence.
    evidence, trainings = _verify_packs(pilot, packs)

    # 11. Compare with the expectations.
    unlocks = unlocked()
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
                pilot.problems.append(
                    f"{opid} {jur}: unlocked {unlock['times_unlocked']}x, "
                    f"delivered {unlock['deliveries']}x (expected once)"
                )
        if row.released != exp.released or (exp.released and row.reason != exp.reason):
            pilot.problems.append(
                f"{opid} {jur}: expected released={exp.released} ({exp.reason or '-'}), "
                f"got released={row.released} ({row.reason or '-'})"
            )
        ev = evidence.get((opid, jur), [])
        if exp.released:
            if len(ev) != 1:
                pilot.problems.append(f"{opid} {jur}: {len(ev)} release-evidence rows, expected 1")
            elif unlock is not None and ev[0]["release_id"] != unlock["release_id"]:
                pilot.problems.append(f"{opid} {jur}: evidence names another release")
            else:
                e = ev[0]
                if exp.reason == "manual_override":
                    row.evidence_ok = bool(e["override_actor"] and e["override_reason"])
                    row.note = f"override by {e['override_actor']}"
                else:
                    row.evidence_ok = e["trained_before_release"] == "true"
                    row.note = f"{len(e['certificate_ids'].split(';'))} certificate(s)"
                if not row.evidence_ok:
                    pilot.problems.append(f"{opid} {jur}: evidence not OK: {e}")
        elif ev:
            pilot.problems.append(f"{opid} {jur}: unexpected release evidence")
        rows.append(row)
    extra = set(unlocks) - set(expected)
    if extra:
        pilot.problems.append(f"unexpected unlocks: {sorted(extra)}")
    for op in OPERATORS:
        if trainings[op.id] != pilot.submissions[op.id]:
            pilot.problems.append(
                f"{op.id}: {trainings[op.id]} training records in the packs, "
                f"{pilot.submissions[op.id]} exams submitted"
            )
    say(
        "training records in the packs: "
        + ", ".join(f"{op.id} {trainings[op.id]}/{pilot.submissions[op.id]}" for op in OPERATORS)
    )
    return rows


def _count_in_log(pilot: Pilot, token: str, operator: str, event_type: str) -> int:
    count, after = 0, -1
    while True:
        page = call(
            "GET",
            f"{pilot.url('audit-export')}/v1/audit/operators/{operator}/log?after={after}&limit=1000",
            token=token,
        )
        entries = page["entries"]
        count += sum(1 for e in entries if e["type"] == event_type)
        if len(entries) < 1000:
            return count
        after = entries[-1]["index"]


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _wait_for_packs(pilot: Pilot, day0: date, last: date) -> dict[str, list[Path]]:
    """Every operator's packs from its chain's first day (at most day0) through `last`."""
    mesh = pilot.mesh
    deadline = time.monotonic() + 420
    last_report = time.monotonic()

    def have(operator: str) -> list[Path]:
        return sorted(mesh.archive_dir(operator).glob(f"auditpack-{operator}-*.zip"))

    while True:
        done = {}
        for op in OPERATORS:
            found = have(op.id)
            names = {p.name for p in found}
            need = [f"auditpack-{op.id}-{d.isoformat()}.zip" for d in _days(day0, last)]
            done[op.id] = all(n in names for n in need)
        if all(done.values()):
            return {op.id: have(op.id) for op in OPERATORS}
        if time.monotonic() > deadline:
            counts = {op.id: len(have(op.id)) for op in OPERATORS}
            raise TimeoutError(f"audit packs through {last} not all delivered: {counts}")
        if time.monotonic() - last_report > 15:
            last_report = time.monotonic()
            counts = {op.id: len(have(op.id)) for op in OPERATORS}
            pilot.say(f"  packs so far: {counts} (need {(last - day0).days + 1}+ each)")
        time.sleep(1.0)


def _verify_packs(
    pilot: Pilot, packs: dict[str, list[Path]]
) -> tuple[dict[tuple[str, str], list[dict[str, str]]], Counter[str]]:
    from audit_export.domain.public_keys import load_trusted_keys
    from audit_export.domain.verify import verify_pack

    mesh = pilot.mesh
    keyfile = mesh.state_dir / "academy-audit-public-keys.json"
    exported = subprocess.run(
        [sys.executable, "-m", "academy", "audit", "public-keys", "--out", str(keyfile)],
        env={**os.environ, **mesh.children["audit-export"].env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if exported.returncode != 0:
        raise RuntimeError(f"academy audit public-keys failed: {exported.stderr[-1000:]}")
    trusted = load_trusted_keys(str(keyfile))
    evidence: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    trainings: Counter[str] = Counter()
    checked = 0
    for operator, paths in packs.items():
        paths = sorted(paths)
        # The chain must start at pack 1 and have no gap.
        with zipfile.ZipFile(paths[0]) as zf:
            if json.loads(zf.read("manifest.json"))["pack_seq"] != 1:
                pilot.problems.append(f"{operator}: first pack {paths[0].name} is not pack 1")
        for i, path in enumerate(paths):
            prev = paths[i - 1] if i else None
            if i == len(paths) - 1:
                argv = [sys.executable, "-m", "academy", "audit", "verify", str(path)]
                if prev is not None:
                    argv += ["--previous", str(prev)]
                argv += ["--public-key", str(keyfile)]
                done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
                if done.returncode != 0:
                    pilot.problems.append(f"academy audit verify {path.name}: {done.stdout}")
                else:
                    pilot.say(f"  academy audit verify {path.name} --previous …: OK")
            else:
                result = verify_pack(path, previous=prev, trusted_keys=trusted)
                if not result.ok:
                    pilot.problems.append(
                        f"{path.name}: " + "; ".join(str(f) for f in result.failures)
                    )
            checked += 1
            with zipfile.ZipFile(path) as zf:
                for row in csv.DictReader(io.StringIO(zf.read("release-evidence.csv").decode())):
                    evidence[(operator, row["jurisdiction"])].append(row)
                trainings[operator] += sum(
                    1 for _ in csv.DictReader(io.StringIO(zf.read("training-records.csv").decode()))
                )
    pilot.say(f"verified {checked} packs (signature with the published key, chain, Merkle, CSVs)")
    return evidence, trainings


def _fmt_delta(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    seconds = int(delta.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {(seconds % 3600) // 60:02d}m"


def _print_summary(echo: Callable[[str], None], rows: list[Row]) -> None:
    header = (
        "operator",
        "jur",
        "policy",
        "expected",
        "released",
        "reason",
        "sign-in->release",
        "evidence OK",
        "evidence",
    )
    table = [
        (
            r.operator,
            r.jurisdiction,
            r.policy,
            ("release" if r.expected.released else "locked")
            + (f" (missing {r.expected.missing})" if r.expected.missing else ""),
            "yes" if r.released else "no",
            r.reason or "-",
            _fmt_delta(r.to_release),
            "yes" if r.evidence_ok else "NO",
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table, strict=False)]
    echo("")
    for line in (header, tuple("-" * w for w in widths), *table):
        echo("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
