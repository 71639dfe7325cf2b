"""A workspace package installed alone into a fresh venv, the way its image installs it: its
wheel, the workspace libraries it declares, and their locked dependencies, offline (the uv cache
holds the locked third-party wheels once `make install` has run)."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

#: The uv workspace root (uv.lock), which every package's wheel is built from.
WORKSPACE = Path(__file__).resolve().parents[4]


def uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def run(
    *argv: str | Path, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in argv],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=cwd,
        env=None if env is None else dict(env),
    )


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the workspace's virtualenv, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    return {**env, **extra}


def install_alone(package: str, venv: Path, wheels: Path) -> Path:
    """Install `package` as its image does (`uv sync --no-dev --package PACKAGE`): the locked
    third-party dependencies from uv.lock, then the package and the workspace libraries it
    declares as wheels built now from the tree (into `wheels`, reused across calls). Returns
    the new venv's bin folder."""
    env = clean_env(UV_PROJECT_ENVIRONMENT=str(venv))
    locked = ("--frozen", "--no-dev", "--package", package)
    exported = run(*uv(), "export", "-q", *locked, "--no-editable", "--no-hashes", cwd=WORKSPACE)
    assert exported.returncode == 0, exported.stderr
    members = [line for line in exported.stdout.splitlines() if line.startswith("./")]
    built = [_wheel(WORKSPACE / member, wheels) for member in members]
    synced = run(
        *uv(), "sync", "--quiet", "--offline", *locked, "--no-install-workspace",
        "--python", sys.executable, cwd=WORKSPACE, env=env,
    )  # fmt: skip
    assert synced.returncode == 0, synced.stdout + synced.stderr
    python = venv / "bin" / "python"
    installed = run(*uv(), "pip", "install", "--quiet", "--offline", "--no-deps",
                    "--python", python, *built, env=env)  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv / "bin"


def _wheel(member: Path, wheels: Path) -> Path:
    """The member's wheel, built from the working tree once per `wheels` folder."""
    out = wheels / member.name
    if not list(out.glob("*.whl")):
        built = run(*uv(), "build", "--quiet", "--wheel", "--offline", member, "-o", out)
        assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


def importable(bin_dir: Path, modules: Iterable[str]) -> list[str]:
    """Which of `modules` the venv's interpreter can import."""
    probe = "import importlib.util as u, sys; print(*[m for m in sys.argv[1:] if u.find_spec(m)])"
    found = run(bin_dir / "python", "-c", probe, *modules, env=clean_env())
    assert found.returncode == 0, found.stderr
    return found.stdout.split()
