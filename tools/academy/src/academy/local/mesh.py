"""Start the whole mesh as processes on 127.0.0.1: used by `academy up` and the e2e tests."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import psutil

from academy.local.loopback import go_live_when_published

# http_json, mint and Ports are re-exported: tests, benchmarks and the demo import them from here.
from academy.local.loopback import http_json as http_json
from academy.local.loopback import mint as mint
from academy.local.portal_people import DEMO_OPERATOR as DEMO_OPERATOR
from academy.local.ports import Ports as Ports
from academy.services import SERVICES, ServiceSpec, migrate_all, service_env
from academy_testkit import postgres, tansu
from academy_testkit.ports import port_open

log = logging.getLogger("academy.up")

DEMO_JURISDICTIONS = ["GCB", "GSC", "MGA"]


@dataclass(frozen=True)
class ExternalPortal:
    """A portal of someone else's (a portal team's staging, a test receiver) to deliver to."""

    webhook_url: str
    webhook_secret: str = field(repr=False)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    port: int | None
    process: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None


@dataclass
class Mesh:
    state_dir: Path
    ports: Ports = field(default_factory=Ports)
    database_url: str | None = None
    kafka_bootstrap: str | None = None
    session_timeout_ms: int = 3000
    only: frozenset[str] | None = None  # start just these children (benchmarks)
    portal: ExternalPortal | None = None  # deliver there; the reference portal is not started
    children: dict[str, Child] = field(default_factory=dict)
    _tansu: subprocess.Popen[bytes] | None = None
    _pg: Any = None
    _recorded: bool = False  # this run wrote the state dir's processes file

    # -- infrastructure ------------------------------------------------------------------
    def start_infrastructure(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(exist_ok=True)
        self.stop_leftovers()
        if self.database_url is None:
            server, self._pg = postgres.server_url(
                prefer_local=False, data_dir=self.state_dir / "pgdata"
            )
            if self._pg is not None:  # embedded: pgserver's handle knows its postmaster
                self._record("postgres", self._pg.get_pid())
            self.database_url = postgres.create_database(server, "academy", exist_ok=True)
        if self.kafka_bootstrap is None:
            if port_open(self.ports.kafka):
                raise RuntimeError(f"port {self.ports.kafka} is taken; set ACADEMY_KAFKA_PORT")
            log_file = (self.state_dir / "logs" / "tansu.log").open("ab")
            self._tansu = tansu.start(self.ports.kafka, log=log_file)
            self._record("tansu", self._tansu.pid)
            self.kafka_bootstrap = f"127.0.0.1:{self.ports.kafka}"
        migrate_all(self.database_url)

    # -- processes -----------------------------------------------------------------------
    def _python(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "academy", *args]

    def plan(self) -> list[Child]:
        assert self.database_url, "start_infrastructure() first"
        assert self.kafka_bootstrap, "start_infrastructure() first"
        issuer_url = f"http://127.0.0.1:{self.ports.issuer}"
        # Every service answers the portal page's browser (the Certification tab's elements).
        common = {"OIDC_ISSUER": issuer_url, "CORS_ORIGINS": ",".join(self.portal_origins())}
        children = [
            Child(
                "issuer",
                self._python(
                    "dev",
                    "issuer",
                    "--port",
                    str(self.ports.issuer),
                    "--key-file",
                    str(self.state_dir / "issuer-key.pem"),
                ),
                {},
                self.ports.issuer,
            ),
        ]
        for spec in SERVICES:
            env = service_env(
                spec,
                database_url=self.database_url,
                kafka=self.kafka_bootstrap,
                port=self.ports.of(spec),
                extra={
                    **common,
                    "KAFKA_SESSION_TIMEOUT_MS": str(self.session_timeout_ms),
                    **self.service_extra(spec),
                },
            )
            children.append(
                Child(spec.name, self._python(spec.cli, "serve"), env, self.ports.of(spec))
            )
        portal_env = {
            "PORTAL_ENVIRONMENT": "local",
            "PORTAL_DATABASE_URL": self.database_url,
            "PORTAL_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "PORTAL_KAFKA_SESSION_TIMEOUT_MS": str(self.session_timeout_ms),
            "PORTAL_HTTP_PORT": str(self.ports.portal),
            "PORTAL_OIDC_ISSUER": issuer_url,
            "PORTAL_ASSESSMENT_URL": f"http://127.0.0.1:{self.ports.assessment}",
            "PORTAL_RELEASE_BRIDGE_URL": f"http://127.0.0.1:{self.ports.release_bridge}",
        }
        if self.portal is None:
            children.append(
                Child("portal", self._python("dev", "portal"), portal_env, self.ports.portal)
            )
        children.append(
            Child(
                "sftp-archive",
                self._python(
                    "dev",
                    "sftp",
                    "--port",
                    str(self.ports.sftp),
                    "--state-dir",
                    str(self.state_dir),
                    "--operator",
                    DEMO_OPERATOR,
                ),
                {},
                self.ports.sftp,
            )
        )
        return children

    def service_extra(self, spec: ServiceSpec) -> dict[str, str]:
        """Per-service settings for the local mesh (later services add theirs here)."""
        if spec.name == "assessment":
            # Certificate pages print verification links to where this mesh's assessment is.
            return {"PUBLIC_BASE_URL": f"http://127.0.0.1:{self.ports.assessment}"}
        if spec.name == "release-bridge":
            # The portal's URL and secret (the reference portal's default secret, or
            # PORTAL_WEBHOOK_SECRETS if set), and timings short enough to watch retries, the
            # breaker and the reconciler work.
            url, secret = self.portal_webhook()
            return {
                "PORTAL_WEBHOOK_URL": url,
                "PORTAL_WEBHOOK_SECRET": secret,
                "PORTAL_TOTAL_TIMEOUT_S": "5",
                "PORTAL_READ_TIMEOUT_S": "5",
                "RETRY_BASE_S": "0.5",
                "RETRY_CAP_S": "4",
                "BREAKER_MINIMUM_CALLS": "5",
                "BREAKER_COOL_DOWN_S": "5",
                "DELIVERY_POLL_INTERVAL_S": "0.25",
                "DELIVERY_LEASE_S": "10",
                "RECONCILE_INTERVAL_S": "1",
            }
        if spec.name == "audit-export":
            # The local SFTP archive as the demo operator's target (its host key pinned) and
            # a development signing key, generated into the state directory on first run.
            from academy.local import sftp_archive

            sftp_dir = self.state_dir / "sftp"
            host_key, client_key = sftp_dir / "host_key", sftp_dir / "client_key"
            sftp_archive.ensure_key(host_key)
            sftp_archive.ensure_key(client_key)
            archive = {
                "host": "127.0.0.1",
                "port": self.ports.sftp,
                "username": "archive",
                "private_key_path": str(client_key),
                "host_key_fingerprint": sftp_archive.fingerprint(host_key),
                "remote_dir": f"/{DEMO_OPERATOR}",
            }
            return {
                "SIGNING_KEYS": self.audit_signing_keys(),
                "SFTP_TARGETS": json.dumps({DEMO_OPERATOR: archive}),
                "EXPORT_POLL_INTERVAL_S": "30",
                "EXPORT_WORK_DIR": str(self.state_dir / "audit-export-work"),
            }
        return {}

    def portal_origins(self) -> list[str]:
        """Where the portal page runs in the browser: the reference portal (by either loopback
        name), or the origin of the other portal's webhook URL."""
        if self.portal is not None:
            url = urlsplit(self.portal.webhook_url)
            return [f"{url.scheme}://{url.netloc}"]
        return [f"http://{host}:{self.ports.portal}" for host in ("127.0.0.1", "localhost")]

    def portal_webhook(self) -> tuple[str, str]:
        """Where the release bridge delivers, and the whsec_ secret it signs with."""
        if self.portal is not None:
            return self.portal.webhook_url, self.portal.webhook_secret
        from academy.local.portal import PortalSettings

        secret = PortalSettings(environment="local").webhook_secrets[0].get_secret_value()
        return f"http://127.0.0.1:{self.ports.portal}/webhooks/academy", secret

    def audit_signing_keys(self) -> str:
        """AUDIT_EXPORT_SIGNING_KEYS: a development key, generated into the state directory."""
        signing_key = self.state_dir / "audit-signing-key.seed"
        if not signing_key.exists():
            signing_key.write_bytes(os.urandom(32))
            signing_key.chmod(0o600)
        keyring = [
            {"key_id": "local-dev", "valid_from": "2020-01-01T00:00:00Z", "path": str(signing_key)}
        ]
        return json.dumps(keyring)

    def archive_dir(self, operator: str) -> Path:
        """Where the local SFTP archive keeps an operator's audit packs."""
        return self.state_dir / "sftp" / "archive" / operator

    @property
    def audit_public_keys(self) -> Path:
        """The public key file that verifies this mesh's audit packs (what the vendor publishes)."""
        from auditpack.public_keys import PUBLIC_KEY_FILE

        return self.state_dir / PUBLIC_KEY_FILE

    def write_audit_public_keys(self) -> Path:
        from auditpack.public_keys import export_public_keys
        from auditpack.signing import load_keyring

        keyring = load_keyring(self.audit_signing_keys(), os.environ)
        self.audit_public_keys.write_bytes(export_public_keys([key.public for key in keyring.keys]))
        return self.audit_public_keys

    def start_processes(self) -> None:
        for child in self.plan():
            if self.only is not None and child.name not in self.only:
                continue
            self.children[child.name] = child
            self.spawn(child)

    def spawn(self, child: Child) -> None:
        child.log_file = (self.state_dir / "logs" / f"{child.name}.log").open("ab")
        child.process = subprocess.Popen(
            child.argv,
            env={**os.environ, **child.env},
            stdout=child.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._record(child.name, child.process.pid)

    # -- processes an earlier run left ------------------------------------------------------
    @property
    def _started_file(self) -> Path:
        return self.state_dir / "processes.json"

    def _record(self, name: str, pid: int) -> None:
        """Note a started process (name, pid, start time) and who started it in the state dir:
        if this `academy up` is killed (SIGKILL, a closed terminal), its children outlive it,
        and the next run stops them instead of failing on the ports they hold."""
        started = self._read_started()
        started[OWNER] = _identity(os.getpid())
        started[name] = _identity(pid)
        self._started_file.write_text(json.dumps(started))
        self._recorded = True

    def _read_started(self) -> dict[str, list[float]]:
        try:
            found = json.loads(self._started_file.read_text())
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def stop_leftovers(self, *, within_s: float = 15.0) -> list[str]:
        """Stop the processes an earlier run in this state dir started and did not stop (the
        same pid with the same start time, so never a stranger that reused the pid); returns
        'name (pid)' of each. Refuses while the run that started them is alive."""
        started = self._read_started()
        owner = started.pop(OWNER, None)
        if owner is not None and _alive(*owner) is not None and owner[0] != os.getpid():
            raise RuntimeError(
                f"another academy up (pid {int(owner[0])}) is running with {self.state_dir}; "
                "stop it (Ctrl-C there) or give this one another --state-dir"
            )
        leftovers = [
            (name, process)
            for name, (pid, created) in started.items()
            if (process := _alive(pid, created)) is not None
        ]
        for name, process in leftovers:  # Postgres: a fast shutdown, not a smart one
            process.send_signal(signal.SIGINT if name == "postgres" else signal.SIGTERM)
        _gone, alive = psutil.wait_procs([p for _n, p in leftovers], timeout=within_s)
        for process in alive:
            process.kill()
        psutil.wait_procs(alive, timeout=5)
        if any(name == "postgres" for name, _p in leftovers):
            # pgserver's list of the processes using the server: the killed run stays in it,
            # and pgserver would never stop the next run's server
            (self.state_dir / "pgdata" / ".handle_pids.json").unlink(missing_ok=True)
        self._started_file.unlink(missing_ok=True)
        stopped = [f"{name} ({process.pid})" for name, process in leftovers]
        if stopped:
            log.warning("stopped what an earlier academy up left running: %s", ", ".join(stopped))
        return stopped

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        child = self.children[name]
        assert child.process is not None
        child.process.send_signal(sig)
        child.process.wait(30)

    def restart(self, name: str) -> None:
        self.spawn(self.children[name])

    def url(self, name: str) -> str:
        port = self.children[name].port
        return f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout: float = 180.0) -> dict[str, float]:
        """Wait for every child; services must answer /readyz with 200. Returns seconds each."""
        started = time.monotonic()
        deadline = started + timeout
        took: dict[str, float] = {}
        for child in self.children.values():
            if child.port is None:
                continue
            probe = "/readyz" if child.name in {s.name for s in SERVICES} | {"portal"} else None
            while True:
                self._check_alive(child)
                if probe is None and port_open(child.port):
                    break
                if probe is not None and _fully_ready(f"http://127.0.0.1:{child.port}{probe}"):
                    break
                if time.monotonic() > deadline:
                    log_file = self.log_path(child.name)
                    raise TimeoutError(
                        f"{child.name} not ready after {timeout:.0f}s; see {log_file}"
                    )
                time.sleep(0.25)
            took[child.name] = round(time.monotonic() - started, 1)
        return took

    def log_path(self, name: str) -> Path:
        return self.state_dir / "logs" / f"{name}.log"

    def _check_alive(self, child: Child) -> None:
        if child.process is not None and child.process.poll() is not None:
            tail = self.log_path(child.name).read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{child.name} exited with {child.process.returncode}:\n{tail}")

    def dead_children(self) -> list[str]:
        return [
            c.name for c in self.children.values() if c.process and c.process.poll() is not None
        ]

    # -- shutdown ------------------------------------------------------------------------
    def stop(self) -> None:
        for child in reversed(list(self.children.values())):
            if child.process is not None and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in self.children.values():
            if child.process is None:
                continue
            try:
                child.process.wait(20)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait(5)
            if child.log_file:
                child.log_file.close()
        if self._tansu is not None:
            self._tansu.terminate()
            try:
                self._tansu.wait(10)
            except subprocess.TimeoutExpired:
                self._tansu.kill()
        if self._pg is not None:
            self._pg.cleanup()
            self._pg = None
        if self._recorded:  # never another live run's record (a refused second run stops too)
            self._started_file.unlink(missing_ok=True)


OWNER = "academy up"  # the processes file's entry for the run that started them


def _identity(pid: int) -> list[float]:
    return [pid, psutil.Process(pid).create_time()]


def _alive(pid: float, created: float) -> psutil.Process | None:
    """The process `pid` if it is still the one that started at `created`."""
    try:
        process = psutil.Process(int(pid))
        return process if process.create_time() == created else None
    except psutil.Error:
        return None


def _fully_ready(url: str) -> bool:
    """`/readyz` answers 200 with nothing degraded. A service is ready for its API once its
    database answers; the local mesh also waits for the broker, so that what `academy up`
    calls ready already flows end to end."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            body = json.loads(response.read() or b"{}")
            return bool(response.status == 200) and not body.get("degraded")
    except (OSError, ValueError):
        return False


def publish_bundled_catalogue(mesh: Mesh) -> None:
    """Publish the bundled catalogue with the CLI (a no-op when it is already the latest);
    the running catalogue service's outbox relay sends its events."""
    catalogue = next(spec for spec in SERVICES if spec.name == "catalogue")
    env = service_env(
        catalogue,
        database_url=str(mesh.database_url),
        kafka=str(mesh.kafka_bootstrap),
        port=mesh.ports.catalogue,
        extra={},
    )
    published = subprocess.run(
        mesh._python("catalogue", "publish"),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    if published.returncode != 0:
        raise RuntimeError(f"publishing the catalogue failed:\n{published.stderr[-2000:]}")


def seed_demo(mesh: Mesh) -> dict[str, str]:
    """Seed the demo operator through the public APIs; returns demo tokens by name."""
    publish_bundled_catalogue(mesh)
    issuer = mesh.url("issuer")
    admin = mint(issuer, "academy.admin", "academy-vendor", ["academy_admin"])
    go_live_when_published(
        mesh.url("assessment"),
        DEMO_OPERATOR,
        DEMO_JURISDICTIONS,
        token=admin,
        reason="demo operator seeded by academy up",
    )
    return {
        "academy_admin": admin,
        "compliance_officer": mint(issuer, "alice.officer", DEMO_OPERATOR, ["compliance_officer"]),
        "academy_support": mint(issuer, "sam.support", "academy-vendor", ["academy_support"]),
    }
