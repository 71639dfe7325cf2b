"""What a killed `academy up` left running: the next run in the same state dir stops it."""

import json
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from academy.local.mesh import OWNER, Child, Mesh

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _mesh(state_dir: Path) -> Mesh:
    (state_dir / "logs").mkdir(parents=True, exist_ok=True)
    return Mesh(state_dir=state_dir)


def _started_by(state_dir: Path, owner: list[float]) -> None:
    """As if the processes file had been written by `owner` (pid, start time)."""
    path = state_dir / "processes.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), OWNER: owner}))


def _exited() -> list[float]:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(10)
    return [gone.pid, 0.0]


def test_a_run_killed_without_stopping_leaves_children_the_next_run_stops(tmp_path: Path) -> None:
    killed_run = _mesh(tmp_path)
    child = Child("catalogue", SLEEPER, {}, None)
    killed_run.spawn(child)  # then `academy up` is SIGKILLed: nothing stops the child
    assert child.process is not None
    _started_by(tmp_path, _exited())

    stopped = _mesh(tmp_path).stop_leftovers()

    assert stopped == [f"catalogue ({child.process.pid})"]
    assert child.process.wait(5) is not None
    assert not (tmp_path / "processes.json").exists()


def test_a_pid_reused_by_another_process_is_left_alone(tmp_path: Path) -> None:
    stranger = subprocess.Popen(SLEEPER)
    try:
        (tmp_path / "processes.json").write_text(
            f'{{"tansu": [{stranger.pid}, {psutil.Process(stranger.pid).create_time() - 60}]}}'
        )

        stopped = _mesh(tmp_path).stop_leftovers()

        assert stopped == []
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait(5)


def test_a_clean_stop_leaves_nothing_to_find(tmp_path: Path) -> None:
    mesh = _mesh(tmp_path)
    mesh.children["catalogue"] = child = Child("catalogue", SLEEPER, {}, None)
    mesh.spawn(child)

    mesh.stop()

    assert not (tmp_path / "processes.json").exists()
    assert _mesh(tmp_path).stop_leftovers() == []


def test_a_second_run_refuses_while_the_first_is_alive(tmp_path: Path) -> None:
    first_run = subprocess.Popen(SLEEPER)
    mesh = _mesh(tmp_path)
    mesh.children["catalogue"] = child = Child("catalogue", SLEEPER, {}, None)
    mesh.spawn(child)
    _started_by(tmp_path, [first_run.pid, psutil.Process(first_run.pid).create_time()])
    try:
        refused = _mesh(tmp_path)
        with pytest.raises(RuntimeError, match=f"another academy up \\(pid {first_run.pid}\\)"):
            refused.stop_leftovers()
        refused.stop()  # as `academy up` does after a refusal
        assert child.process is not None
        assert child.process.poll() is None
        assert (tmp_path / "processes.json").exists()  # the live run's record stays
    finally:
        first_run.kill()
        first_run.wait(5)
        mesh.stop()
