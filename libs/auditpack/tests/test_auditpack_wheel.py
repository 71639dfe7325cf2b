"""The library's wheel installs alone in a fresh venv (with its declared dependencies, no
academy service) and its `auditpack` command verifies packs there."""

from pathlib import Path

import pytest

from academy_testkit.wheels import importable, install_alone, run
from auditpack.sample import write_sample

pytestmark = pytest.mark.integration  # builds wheels and installs them into a fresh venv

DAY1 = "auditpack-op-aurora-gaming-2026-11-23.zip"
DAY2 = "auditpack-op-aurora-gaming-2026-11-24.zip"
KEYS = "academy-audit-public-keys.json"


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the auditpack and contracts wheels and what they declare."""
    root = tmp_path_factory.mktemp("wheel")
    return install_alone("academy-auditpack", root / "venv", root / "dist")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample packs, built by the workspace's library."""
    out = tmp_path_factory.mktemp("sample")
    write_sample(out)
    return out


def test_the_installed_wheel_has_no_service_or_runtime(venv_bin: Path) -> None:
    modules = ["audit_export", "academy_runtime", "academy", "auditpack", "contracts"]

    assert importable(venv_bin, modules) == ["auditpack", "contracts"]


def test_the_installed_wheel_verifies_a_good_pack_chain(venv_bin: Path, sample: Path) -> None:
    verified = run(
        venv_bin / "auditpack",
        "verify",
        sample / DAY2,
        "--previous",
        sample / DAY1,
        "--public-key",
        sample / KEYS,
    )

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith(f"OK {DAY2}")
    assert "verified with the given public key" in verified.stdout


def test_the_installed_wheel_fails_a_tampered_pack_naming_the_check(
    venv_bin: Path, sample: Path, tmp_path: Path
) -> None:
    data = bytearray((sample / DAY2).read_bytes())
    data[data.index(b"Maria Camilleri")] ^= 0x20  # "maria" in events.jsonl
    tampered = tmp_path / DAY2
    tampered.write_bytes(data)

    verified = run(venv_bin / "auditpack", "verify", tampered, "--public-key", sample / KEYS)

    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert verified.stdout.startswith(f"FAILED {DAY2}")
    assert "events.jsonl: crc-32" in verified.stdout


def test_the_installed_wheel_writes_the_same_sample_bytes(
    venv_bin: Path, sample: Path, tmp_path: Path
) -> None:
    written = run(venv_bin / "auditpack", "sample", tmp_path)

    assert written.returncode == 0, written.stderr
    assert "try: auditpack verify" in written.stdout
    for name in (DAY1, DAY2, KEYS):
        assert (tmp_path / name).read_bytes() == (sample / name).read_bytes(), name
