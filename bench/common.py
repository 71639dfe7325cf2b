"""Shared benchmark plumbing: a fresh database, a subset of the mesh, latency statistics."""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from academy.local.mesh import Mesh
from academy.testing_mesh import running_mesh
from academy_testkit import postgres
from academy_testkit.ports import free_port, wait_port

RESULTS = Path(__file__).resolve().parent / "results"
STATE = Path(__file__).resolve().parents[1] / ".state" / "bench"


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), "")


def _commit() -> str:
    """The checked-out commit, with `+dirty` when the working tree differs from it."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "git_commit": _commit(),
        "platform": platform.platform(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


@dataclass
class Latencies:
    seconds: list[float]

    def pct(self, p: float) -> float:
        ordered = sorted(self.seconds)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict[str, float]:
        return {
            "count": len(self.seconds),
            "p50_ms": round(self.pct(50) * 1000, 2),
            "p99_ms": round(self.pct(99) * 1000, 2),
            "mean_ms": round(statistics.fmean(self.seconds) * 1000, 2) if self.seconds else 0.0,
        }


@contextmanager
def database() -> Iterator[str]:
    """A throw-away database on DATABASE_URL / 127.0.0.1:5432 / an embedded server."""
    server, handle = postgres.server_url(prefer_local=True, data_dir=STATE / "pgdata")
    name = f"academy_bench_{uuid.uuid4().hex[:8]}"
    url = postgres.create_database(server, name)
    try:
        yield url
    finally:
        postgres.drop_database(server, name)
        if handle is not None:
            handle.cleanup()


@contextmanager
def mesh(database_url: str, only: set[str] | None = None) -> Iterator[Mesh]:
    """The named mesh processes (all when `only` is None) on free ports, with a fresh Tansu."""
    with running_mesh(
        STATE / uuid.uuid4().hex[:8],
        database_url=database_url,
        mesh_cls=Mesh,
        only=frozenset(only) if only is not None else None,
    ) as running:
        yield running


@contextmanager
def uvicorn_app(app_path: str, env: dict[str, str]) -> Iterator[str]:
    """Serve `module:factory` with uvicorn in its own process on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            app_path,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
    )
    try:
        wait_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(15)


def client_session(limit: int = 64, **kwargs: Any) -> aiohttp.ClientSession:
    """The HTTP client of timed requests (submits, direct signed POSTs): aiohttp, as the release
    bridge uses, at ~0.1 ms of CPU a request where httpx took ~1.2 ms on this machine; httpx
    stays for set-up calls. A fresh session per run (it binds to the running event loop)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, keepalive_timeout=2.0),
        timeout=aiohttp.ClientTimeout(total=120),
        **kwargs,
    )


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    result = {
        "benchmark": name,
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **result,
    }
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
