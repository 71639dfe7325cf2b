"""`academy up` (what `make up` runs) reaches all-ready and SIGINT leaves no process behind."""

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from academy_testkit.ports import free_port, port_open
from auditpack.public_keys import load_trusted_keys

pytestmark = pytest.mark.e2e


def _free_base() -> int:
    for _ in range(50):
        base = random.randint(20_000, 50_000)
        if not any(port_open(base + offset) for offset in (*range(6), 22)):
            return base
    raise AssertionError("no free port range")


def _processes_mentioning(text: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(text in part for part in proc.info["cmdline"] or []):
                found.append(proc)
        except psutil.Error:
            continue
    return found


@pytest.fixture
def state_dir() -> Iterator[Path]:
    """Outside pytest's temp root: the embedded Postgres runs as another user and must reach
    its data directory, and every new pytest session makes that root private again."""
    with tempfile.TemporaryDirectory(prefix="academy-up-test-") as directory:
        yield Path(directory) / "state"


def test_academy_up_reaches_ready_and_sigint_stops_everything(
    tmp_path: Path, state_dir: Path
) -> None:
    base, kafka = _free_base(), free_port()
    state = state_dir
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # embedded Postgres path
    log = (tmp_path / "up.log").open("w+")
    up = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "academy",
            "up",
            "--state-dir",
            str(state),
            "--base-port",
            str(base),
            "--kafka-port",
            str(kafka),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while "Press Ctrl-C" not in (tmp_path / "up.log").read_text():
            assert up.poll() is None, (tmp_path / "up.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "academy up did not become ready"
            time.sleep(0.5)
        for port in range(base + 1, base + 6):
            assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        _assert_it_ends_with_where_to_look((tmp_path / "up.log").read_text(), state, base)
        tree = psutil.Process(up.pid).children(recursive=True)
        postgres = _processes_mentioning(str(state / "pgdata"))
        assert len(tree) >= 7, "expected the services and the local infrastructure"
        assert postgres, "expected the embedded Postgres"

        up.send_signal(signal.SIGINT)
        assert up.wait(90) == 0
    finally:
        if up.poll() is None:  # a failed assertion: let it stop its children (their own sessions)
            up.send_signal(signal.SIGINT)
            try:
                up.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(up.pid, signal.SIGKILL)
    time.sleep(1)
    leftovers = [
        p for p in tree + postgres if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert leftovers == [], [p.cmdline() for p in leftovers]
    assert not any(port_open(p) for p in (*range(base, base + 6), base + 22, kafka))
    assert "no process left running" in (tmp_path / "up.log").read_text()


def _assert_it_ends_with_where_to_look(output: str, state: Path, base: int) -> None:
    """After the start-up noise and the tokens: the portal, the packs, their key, the clocks."""
    block = output[output.rindex("Where to look:") :]
    keys = state / "academy-audit-public-keys.json"
    assert "eyJ" not in block, "the tokens come before the block"
    assert f"http://127.0.0.1:{base + 5}/" in block.splitlines()[1]
    assert str(state / "sftp" / "archive" / "demo-operator") in block
    assert (state / "sftp" / "archive" / "demo-operator").is_dir()
    assert f"--public-key {keys}" in block
    assert load_trusted_keys(str(keys))
    assert "http://127.0.0.1:$port/_dev/clock" in block
    assert f"for port in {base + 1} {base + 2} {base + 3} {base + 4} {base + 5};" in block
