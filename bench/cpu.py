"""CPU use per process over a timed window, from /proc (what `ps -o %cpu` shows, per window).

Postgres is counted as the sum of every `postgres` process on the machine, backends that
exited during the window included (through the postmaster's reaped-children time): it may be
shared with other work, which the result says.
"""

import os
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int, *, reaped: bool = False) -> int:
    """utime + stime; with `reaped`, plus that of its children that have exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    own = int(fields[11]) + int(fields[12])
    return own + int(fields[13]) + int(fields[14]) if reaped else own  # + cutime + cstime


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _machine_busy() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class CpuWindow:
    """Start with `begin()`, end with `end()`: percent of one core per named process."""

    pids: dict[str, int]
    _start: dict[str, int] = field(default_factory=dict)
    _machine: tuple[int, int] = (0, 0)
    _at: float = 0.0

    def _sample(self) -> dict[str, int]:
        sample = {name: _ticks(pid) for name, pid in self.pids.items()}
        # Backends that ended during the window (a pool's overflow connections) count through
        # the postmaster, which reaps them.
        sample["postgres (all backends)"] = sum(
            _ticks(pid, reaped=True) for pid in _postgres_pids()
        )
        return sample

    def begin(self) -> None:
        self._start, self._machine, self._at = self._sample(), _machine_busy(), time.monotonic()

    def end(self) -> dict[str, float]:
        took = time.monotonic() - self._at
        now = self._sample()
        busy, total = _machine_busy()
        shares = {
            name: round(100 * (now[name] - self._start.get(name, 0)) / TICKS / took, 1)
            for name in now
        }
        machine = 100 * (busy - self._machine[0]) / max(1, total - self._machine[1])
        cores = os.cpu_count() or 1
        # What else ran meanwhile (other work on a shared machine), in the same unit.
        shares["everything else"] = round(max(0.0, machine * cores - sum(shares.values())), 1)
        shares["machine busy % (all cores)"] = round(machine, 1)
        return shares


def py_spy() -> str | None:
    """The py-spy binary (BENCH_PY_SPY or on PATH), if there is one."""
    return os.environ.get("BENCH_PY_SPY") or shutil.which("py-spy")


def start_profiles(
    binary: str, pids: dict[str, int], seconds: float, out: Path
) -> list[subprocess.Popen[bytes]]:
    """py-spy record each process (nonblocking, 25 Hz) into `out/<name>.txt` (collapsed)."""
    out.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                binary,
                "record",
                "--nonblocking",
                "--rate",
                "25",
                "--format",
                "raw",
                "--duration",
                str(max(1, round(seconds))),
                "--pid",
                str(pid),
                "--output",
                str(out / f"{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    ]


#: On every stack of a served process (its entry point), so they say nothing.
ROOTS = frozenset({"<frozen runpy>", "typer", "academy", "uvicorn", "click"})
ROOT_FUNCTIONS = frozenset(
    {"academy_runtime.serve", "academy_runtime.add_service_commands.<locals>.serve_command"}
)
FIRST_PARTY = frozenset(
    {"assessment", "release_bridge", "audit_export", "catalogue", "academy_runtime", "contracts"}
)


def _frame(text: str) -> tuple[str, str]:
    """(function, package) of one collapsed frame `func (pkg/mod.py:line)`."""
    function, _, where = text.partition(" (")
    return function, where.split("/", 1)[0] if "/" in where else where.split(":", 1)[0]


def profile_summary(collapsed: Path, limit: int = 8) -> dict[str, Any]:
    """Where a process's samples were: own-time frames, and the share of samples in which
    each package and each first-party function appears anywhere on the stack."""
    own: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        total += n
        own[frames[-1]] += n
        parsed = [_frame(f) for f in frames]
        for package in {pkg for _, pkg in parsed} - ROOTS:
            packages[package] += n
        for function in {
            f"{pkg}.{fn}" for fn, pkg in parsed if pkg in FIRST_PARTY
        } - ROOT_FUNCTIONS:
            ours[function] += n

    def share(counter: Counter[str], k: int) -> dict[str, float]:
        return {name: round(100 * c / total, 1) for name, c in counter.most_common(k)}

    if not total:
        return {"samples": 0}
    return {
        "samples": total,
        "own_time_pct": share(own, limit),
        "on_stack_pct_by_package": share(packages, 14),
        "on_stack_pct_first_party": share(ours, limit),
    }
