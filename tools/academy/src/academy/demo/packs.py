"""Waiting for the nightly audit packs and verifying every one of them."""

import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from academy.demo.cast import OPERATORS
from academy.demo.harness import Pilot, call
from academy.demo.register_check import Issued, issued_certificates

REGISTER_CSV = "training-register.csv"


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


@dataclass
class PackContents:
    """What the demo reads from the verified packs."""

    # (operator, jurisdiction) -> release-evidence rows, each with `pack_revision` added
    # ("2" when its pack has the training register, whose rule trained_before_release follows)
    evidence: dict[tuple[str, str], list[dict[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    trainings: Counter[str] = field(default_factory=Counter)  # training-records rows per operator
    issued: list[Issued] = field(default_factory=list)
    register: list[dict[str, str]] = field(default_factory=list)
    register_packs: int = 0  # packs with training-register.csv (contract revision 2)


def _csv(zf: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(zf.read(name).decode())))


def _verify_packs(pilot: Pilot, packs: dict[str, list[Path]]) -> PackContents:
    from auditpack.public_keys import load_trusted_keys
    from auditpack.verify import verify_pack

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
    found = PackContents()
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
                revision = "2" if REGISTER_CSV in zf.namelist() else "1"
                for row in _csv(zf, "release-evidence.csv"):
                    row["pack_revision"] = revision
                    found.evidence[(operator, row["jurisdiction"])].append(row)
                records = _csv(zf, "training-records.csv")
                found.trainings[operator] += len(records)
                found.issued += issued_certificates(records)
                if revision == "2":
                    found.register_packs += 1
                    found.register += _csv(zf, REGISTER_CSV)
    pilot.say(
        f"verified {checked} packs (signature with the published key, chain, Merkle, CSVs); "
        f"{found.register_packs} with {REGISTER_CSV}"
    )
    return found
