"""Delivery to a real OpenSSH sshd on loopback: key auth, pinned host key, temp name + rename."""

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import asyncssh
import pytest
from audit_export_harness import DAY0, T0, Harness, at, envelope, lesson, new_operator
from audit_export_harness import target_json as to_json

from academy_testkit.sshd import OpenSshServer, fingerprint, make_key
from audit_export.adapters.sftp import SftpUploader
from audit_export.domain.targets import SftpTarget
from auditpack.period import pack_filename
from auditpack.verify import verify_pack

pytestmark = pytest.mark.integration

NEXT_MORNING = at(DAY0 + timedelta(days=1), 2)


def archive_target(sshd: OpenSshServer, remote: Path, **over: object) -> SftpTarget:
    fields: dict[str, object] = {
        "host": "127.0.0.1",
        "port": sshd.port,
        "username": sshd.user,
        "private_key_path": sshd.client_key,
        "host_key_fingerprint": sshd.host_fingerprint,
        "remote_dir": str(remote),
    }
    fields.update(over)
    return SftpTarget.model_validate(fields)


def with_archive(
    make_harness: Callable[..., Harness],
    operator: str,
    target: SftpTarget,
    uploader: SftpUploader | None = None,
) -> Harness:
    return make_harness(
        sftp_targets=json.dumps({operator: to_json(target)}),
        uploader=uploader or SftpUploader(connect_timeout_s=5),
        export_attempts_per_pass=1,
        export_retry_base_s=60,
    )


async def _one_day_of_events(harness: Harness, operator: str, *, big: bool = False) -> None:
    padding = "v" * 100_000 if big else ""  # ~1.2 MB of events: many upload chunks
    events = [
        envelope(
            operator,
            lesson(T0, staff=f"staff-{n}").model_copy(
                update={"track_version": f"mga-2031.1{padding}"}
            ),
        )
        for n in range(12)
    ]
    await harness.ingest(*events, at_time=T0)
    harness.clock.set(NEXT_MORNING)


@contextmanager
def watch_final_name(directory: Path, final: str) -> Iterator[dict[str, set[int]]]:
    """Poll the archive directory in a thread: every size ever seen under each name."""
    seen: dict[str, set[int]] = {}
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            for name in os.listdir(directory):
                try:
                    seen.setdefault(name, set()).add(os.stat(directory / name).st_size)
                except FileNotFoundError:
                    continue  # renamed between listing and stat

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()


async def test_a_pack_is_delivered_over_sftp_verified_and_renamed_into_place(
    make_harness: Callable[..., Harness], sshd: OpenSshServer, tmp_path: Path
) -> None:
    operator = new_operator()
    remote = tmp_path / "archive" / operator
    remote.mkdir(parents=True)
    harness = with_archive(make_harness, operator, archive_target(sshd, remote))
    await _one_day_of_events(harness, operator)

    report = await harness.run_pass(operator)

    assert report.delivered == [(operator, DAY0)]
    final = remote / pack_filename(operator, DAY0)
    assert sorted(os.listdir(remote)) == [final.name]  # no temporary file left behind
    keyring = harness.wiring.workshop.keyring
    assert keyring is not None
    assert verify_pack(final, trusted_keys=[k.public for k in keyring.keys]).ok
    [run] = await harness.runs(operator)
    assert (run.status.value, run.remote_path) == ("succeeded", str(final))


async def test_a_long_upload_is_flushed_to_the_archive_disk_as_it_goes(
    make_harness: Callable[..., Harness],
    sshd: OpenSshServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    operator = new_operator()
    remote = tmp_path / "archive" / operator
    remote.mkdir(parents=True)
    final = pack_filename(operator, DAY0)
    flushed_at: list[int] = []  # the size of the partial file whenever a flush is asked for
    fsync = asyncssh.SFTPClientFile.fsync

    async def watched_fsync(self: asyncssh.SFTPClientFile) -> None:
        flushed_at.append((remote / f".{final}.part").stat().st_size)
        await fsync(self)

    monkeypatch.setattr(asyncssh.SFTPClientFile, "fsync", watched_fsync)
    uploader = SftpUploader(connect_timeout_s=5, chunk_size=16 * 1024, flush_every=128 * 1024)
    harness = with_archive(make_harness, operator, archive_target(sshd, remote), uploader)
    await _one_day_of_events(harness, operator, big=True)

    report = await harness.run_pass(operator)

    assert report.delivered == [(operator, DAY0)]
    size = (remote / final).stat().st_size
    assert len(flushed_at) >= 4, flushed_at  # OpenSSH honoured flushes during the upload
    assert flushed_at == sorted(flushed_at)
    assert flushed_at[0] < size  # the first came long before the end
    assert flushed_at[-1] == size  # and the last, before the rename, covers the whole pack
    keyring = harness.wiring.workshop.keyring
    assert keyring is not None
    assert verify_pack(remote / final, trusted_keys=[k.public for k in keyring.keys]).ok


async def test_archive_down_then_back_retries_and_never_shows_a_partial_pack(
    make_harness: Callable[..., Harness], sshd: OpenSshServer, tmp_path: Path
) -> None:
    operator = new_operator()
    remote = tmp_path / "archive" / operator
    remote.mkdir(parents=True)
    cut_connection = {"armed": False}

    async def progress(_path: str, written: int) -> None:
        if cut_connection["armed"]:
            cut_connection["armed"] = False
            sshd.stop()  # the archive goes down in the middle of the upload

    uploader = SftpUploader(connect_timeout_s=5, chunk_size=64 * 1024, progress=progress)
    harness = with_archive(make_harness, operator, archive_target(sshd, remote), uploader)
    await _one_day_of_events(harness, operator, big=True)
    final = pack_filename(operator, DAY0)

    with watch_final_name(remote, final) as seen:
        sshd.stop()
        down = await harness.run_pass(operator)
        sshd.start()
        cut_connection["armed"] = True
        harness.clock.advance(hours=1)
        cut = await harness.run_pass(operator)
        partial_left = sorted(os.listdir(remote))
        sshd.start()
        harness.clock.advance(hours=1)
        back = await harness.run_pass(operator)

    assert [f[2] for f in down.failed + cut.failed] == ["unreachable", "unreachable"]
    assert partial_left == [f".{final}.part"]  # the cut upload never got the final name
    assert back.delivered == [(operator, DAY0)]
    size = (remote / final).stat().st_size
    assert seen[final] == {size}  # whenever the final name existed, the pack was complete
    assert max(seen[f".{final}.part"]) == size
    assert min(seen[f".{final}.part"]) < size
    assert sorted(os.listdir(remote)) == [final]
    [run] = await harness.runs(operator)
    assert (run.status.value, run.attempts) == ("succeeded", 3)


async def test_a_server_with_another_host_key_is_refused(
    make_harness: Callable[..., Harness], sshd: OpenSshServer, tmp_path: Path
) -> None:
    operator = new_operator()
    remote = tmp_path / "archive" / operator
    remote.mkdir(parents=True)
    other_key = make_key(tmp_path / "impostor_host_key")
    pinned = fingerprint(Path(f"{other_key}.pub"))
    harness = with_archive(
        make_harness, operator, archive_target(sshd, remote, host_key_fingerprint=pinned)
    )
    await _one_day_of_events(harness, operator)

    report = await harness.run_pass(operator)

    assert report.failed == [(operator, DAY0, "host_key")]
    [run] = await harness.runs(operator)
    assert run.last_error is not None
    assert f"does not match the pinned fingerprint {pinned}" in run.last_error
    assert sshd.host_fingerprint in run.last_error
    assert os.listdir(remote) == []


async def test_a_read_only_archive_is_a_clear_permission_failure_and_is_retried(
    make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    operator = new_operator()
    remote = tmp_path / "archive" / operator
    remote.mkdir(parents=True)
    sshd = OpenSshServer(tmp_path / "sshd", extra_config=("ForceCommand internal-sftp -R",))
    sshd.start()
    try:
        harness = with_archive(make_harness, operator, archive_target(sshd, remote))
        await _one_day_of_events(harness, operator)
        denied = await harness.run_pass(operator)
        [failed_run] = await harness.runs(operator)
        sshd.stop()
        sshd.extra_config = ()  # the archive admin fixes the permissions
        sshd.start()
        harness.clock.set(failed_run.next_attempt_at or T0)
        fixed = await harness.run_pass(operator)
    finally:
        sshd.stop()

    assert denied.failed == [(operator, DAY0, "permission")]
    assert failed_run.last_error is not None
    assert f"permission denied in {remote}" in failed_run.last_error
    assert failed_run.next_attempt_at == NEXT_MORNING + timedelta(seconds=60)
    assert fixed.delivered == [(operator, DAY0)]


async def test_a_login_the_archive_does_not_accept_is_a_clear_auth_failure(
    make_harness: Callable[..., Harness], sshd: OpenSshServer, tmp_path: Path
) -> None:
    operator = new_operator()
    remote = tmp_path / "archive" / operator
    remote.mkdir(parents=True)
    harness = with_archive(
        make_harness, operator, archive_target(sshd, remote, username="no-such-archive-user")
    )
    await _one_day_of_events(harness, operator)

    report = await harness.run_pass(operator)

    assert report.failed == [(operator, DAY0, "auth")]
    [run] = await harness.runs(operator)
    assert run.last_error is not None
    assert "authentication refused for user no-such-archive-user" in run.last_error
    assert run.status.value == "failed"
    assert run.next_attempt_at is not None
