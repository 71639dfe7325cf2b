"""`academy demo`: a scripted pilot onboarding against a fresh local mesh.

Starts the mesh as `academy up` does (own state directory and ports, so it runs beside
`make up`), then plays a pilot through the public APIs only:

- three operators go live in two or three jurisdictions each (admin API);
- about 30 staff with realistic roles and names sign in (dev issuer tokens, as the portal's
  Okta session would), open every lesson of each track in order through its `href` (digest,
  HTML and links checked), complete each, and only then take their exams; one compliance
  officer's exam is refused untrained (409) and support waives his training with a reason;
- some fail an exam and pass a later attempt once the cooldown is over (the services' clocks
  are shifted with `PUT /_dev/clock`, a local-mode convenience);
- support force-releases one jurisdiction whose release policy is not met, with a reason;
- one compliance officer recertifies after the clocks move into the recertification window;
- the demo waits for the reference portal's unlocks and the nightly audit packs in the local
  SFTP archive, verifies every pack (`academy audit verify` as a subprocess for each
  operator's latest pack, the same verifier in-process for the others), checks the packs'
  training register (when the packs carry it) shows every certificate preceded by its
  training, prints a summary per operator and jurisdiction and the modules each staff member
  completed, and exits 0 only when everything matches what the release policies say.

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

import shutil
import signal
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from academy.demo.cast import DEMO_STATE_DIR, expectations
from academy.demo.harness import DemoMesh, Pilot, answer_keys
from academy.demo.play import _play
from academy.demo.verdict import Row, StaffRow
from academy.local.mesh import Ports, publish_bundled_catalogue


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
        publish_bundled_catalogue(mesh)
        keys, policies = answer_keys()
        pilot = Pilot(mesh, say, keys, policies)
        expected = expectations(policies)
        rows, staff_rows = _play(pilot, expected)
        say(f"done in {time.monotonic() - started:.0f}s")
        _print_summary(echo, rows)
        _print_training(echo, staff_rows)
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
    _print_table(echo, header, table)


def _print_training(echo: Callable[[str], None], rows: list[StaffRow]) -> None:
    """Modules completed per staff member and jurisdiction, as the operator view reports them."""
    jurisdictions = sorted({j for r in rows for j in r.tracks})
    header = (
        "operator",
        "staff",
        "role",
        *(f"{j} modules, exam" for j in jurisdictions),
        "lessons read",
        "certs trained (register)",
    )
    table = [
        (
            r.operator,
            r.name,
            r.role,
            *(r.tracks.get(j, "-") for j in jurisdictions),
            str(r.lessons),
            r.register,
        )
        for r in rows
    ]
    _print_table(echo, header, table)


def _print_table(
    echo: Callable[[str], None], header: tuple[str, ...], table: Sequence[tuple[str, ...]]
) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table, strict=False)]
    echo("")
    for line in (header, tuple("-" * w for w in widths), *table):
        echo("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
