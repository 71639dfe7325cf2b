"""The demo's mesh, API calls and the Pilot that drives staff through the public APIs."""

import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from academy.demo.cast import CLOCKED, EXPORT_AT_UTC, OPERATORS, Staff
from academy.demo.lessons import lesson_problems, lessons_in_order, required_modules
from academy.local.mesh import Child, Mesh
from academy.services import ServiceSpec


@dataclass
class DemoMesh(Mesh):
    """The local mesh with the pilot's three operators as SFTP archive targets."""

    operators: tuple[str, ...] = tuple(o.id for o in OPERATORS)

    def start_infrastructure(self) -> None:
        # With DATABASE_URL, use a database of our own (dropped first) so `make up` is untouched.
        from academy_testkit import postgres

        if self.database_url is None and (server := os.environ.get("DATABASE_URL")):
            postgres.drop_database(server, "academy_demo")
            self.database_url = postgres.create_database(server, "academy_demo")
        super().start_infrastructure()

    def plan(self) -> list[Child]:
        children = super().plan()
        for child in children:
            if child.name == "sftp-archive":
                for operator in self.operators:
                    child.argv += ["--operator", operator]
        return children

    def service_extra(self, spec: ServiceSpec) -> dict[str, str]:
        extra = super().service_extra(spec)
        if spec.name == "assessment":
            extra["SCHEDULER_INTERVAL_S"] = "5"
        if spec.name == "audit-export":
            from academy.local import sftp_archive

            sftp_dir = self.state_dir / "sftp"
            client_key, host_key = sftp_dir / "client_key", sftp_dir / "host_key"
            sftp_archive.ensure_key(host_key)
            sftp_archive.ensure_key(client_key)
            targets = {
                operator: {
                    "host": "127.0.0.1",
                    "port": self.ports.sftp,
                    "username": "archive",
                    "private_key_path": str(client_key),
                    "host_key_fingerprint": sftp_archive.fingerprint(host_key),
                    "remote_dir": f"/{operator}",
                }
                for operator in self.operators
            }
            extra["SFTP_TARGETS"] = json.dumps(targets)
            # The service does not create its work directory (see the demo's report).
            work_dir = Path(extra.get("EXPORT_WORK_DIR", self.state_dir / "audit-export-work"))
            work_dir.mkdir(parents=True, exist_ok=True)
            extra["EXPORT_WORK_DIR"] = str(work_dir)
            extra["EXPORT_POLL_INTERVAL_S"] = "1"
            extra["EXPORT_AT_UTC"] = EXPORT_AT_UTC
            extra["EXPORT_RETRY_BASE_S"] = "2"
            extra["EXPORT_RETRY_CAP_S"] = "10"
        return extra

    def archive_dir(self, operator: str) -> Path:
        return self.state_dir / "sftp" / "archive" / operator


# -- HTTP -------------------------------------------------------------------------------------


class ApiError(RuntimeError):
    def __init__(self, method: str, url: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {url} -> {status}: {body}")
        self.status = status
        self.body = body


def call(
    method: str,
    url: str,
    body: Any = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    retries: int = 3,
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    for attempt in range(retries + 1):
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                parsed: Any = json.loads(raw)
            except ValueError:
                parsed = raw.decode(errors="replace")
            if exc.code >= 500 and attempt < retries:
                time.sleep(0.5 * (attempt + 1))
                continue
            raise ApiError(method, url, exc.code, parsed) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if attempt >= retries:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def wait_for(what: str, check: Callable[[], bool], *, timeout: float, every: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


# -- the run ----------------------------------------------------------------------------------


class Failed(Exception):
    """An expectation did not hold."""


@dataclass(frozen=True)
class Trained:
    """One staff member's training on one track, as the API reported it before the exam."""

    lessons_read: int
    modules_completed: int
    modules_total: int
    waived: bool = False


@dataclass
class Pilot:
    mesh: DemoMesh
    say: Callable[[str], None]
    keys: dict[str, dict[str, tuple[str, ...]]]  # track key -> question id -> correct options
    policies: dict[str, list[tuple[str, int]]]  # jurisdiction -> (role, count) requirements
    offset: timedelta = timedelta(0)
    tokens: dict[str, str] = field(default_factory=dict)
    first_sign_in: dict[str, datetime] = field(default_factory=dict)
    staff_ids: dict[str, str] = field(default_factory=dict)  # sub -> the API's staff_id
    trained: dict[tuple[str, str], Trained] = field(default_factory=dict)  # (sub, track key)
    waivers: list[dict[str, Any]] = field(default_factory=list)  # the support API's answers
    submissions: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, name: str) -> str:
        return self.mesh.url(name)

    def sim_now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def mint(self, sub: str, operator: str, groups: list[str], **claims: str) -> str:
        body = {"sub": sub, "operator_id": operator, "groups": groups, "ttl_s": 12 * 3600}
        token: str = call("POST", f"{self.url('issuer')}/token", {**body, **claims})["access_token"]
        return token

    def token(self, staff: Staff) -> str:
        if staff.sub not in self.tokens:
            self.tokens[staff.sub] = self.mint(
                staff.sub, staff.operator, [staff.role], name=staff.name, email=staff.email
            )
        return self.tokens[staff.sub]

    def shift_clocks(self, offset: timedelta) -> None:
        assert offset >= self.offset, "clock offsets only move forward"
        for name in CLOCKED:
            call("PUT", f"{self.url(name)}/_dev/clock", {"offset_seconds": offset.total_seconds()})
        self.offset = offset
        self.say(f"  clocks of all services now at {self.sim_now():%Y-%m-%d %H:%M} UTC (simulated)")

    # staff actions ---------------------------------------------------------------------------

    def sign_in(self, staff: Staff) -> dict[str, Any]:
        at = self.sim_now()
        me: dict[str, Any] = call("GET", f"{self.url('assessment')}/v1/me", token=self.token(staff))
        with self.lock:
            self.staff_ids[staff.sub] = me["staff_id"]
            self.first_sign_in.setdefault(staff.operator, at)
            self.first_sign_in[staff.operator] = min(self.first_sign_in[staff.operator], at)
        return me

    def problem(self, message: str) -> None:
        with self.lock:
            self.problems.append(message)

    def train(self, staff: Staff, track_key: str) -> Trained:
        """Open every lesson of the track through its href, in order, and complete each.

        The path a portal drives: each lesson is read (Markdown, HTML, digest, links to its
        neighbours checked against the track) and then completed with its `completion_href`.
        """
        assessment, token = self.url("assessment"), self.token(staff)
        track = call("GET", f"{assessment}/v1/me/tracks/{track_key}", token=token)
        lessons = lessons_in_order(track)
        progress: dict[str, Any] = track["progress"]
        for i, ref in enumerate(lessons):
            served = call("GET", assessment + ref.href, token=token)
            for problem in lesson_problems(
                served,
                track_key=track_key,
                track_version=track["version"],
                expected=ref,
                previous=lessons[i - 1] if i else None,
                following=lessons[i + 1] if i + 1 < len(lessons) else None,
            ):
                self.problem(f"{staff.name}: {problem}")
            done = call("PUT", assessment + served["completion_href"], token=token)
            progress = done["progress"]
        if not progress["complete"]:
            self.problem(f"{staff.name} {track_key}: every lesson completed, yet {progress}")
        trained = Trained(len(lessons), progress["modules_completed"], progress["modules_total"])
        with self.lock:
            self.trained[(staff.sub, track_key)] = trained
        return trained

    def waive(self, staff: Staff, track_key: str, reason: str, *, support: str) -> dict[str, Any]:
        """Support waives the training rule: first the exam is refused, then the waiver lets it."""
        assessment, token = self.url("assessment"), self.token(staff)
        track = call("GET", f"{assessment}/v1/me/tracks/{track_key}", token=token)
        try:
            call("POST", f"{assessment}/v1/me/tracks/{track_key}/attempts", token=token)
            self.problem(f"{staff.name} {track_key}: the exam started without any training")
        except ApiError as refused:
            body = refused.body if isinstance(refused.body, dict) else {}
            missing = sorted(m["module_id"] for m in body.get("missing_modules", []))
            if refused.status != 409 or missing != sorted(required_modules(track)):
                self.problem(f"{staff.name} {track_key}: untrained exam start gave {refused}")
        waiver: dict[str, Any] = call(
            "POST",
            f"{assessment}/v1/support/operators/{staff.operator}/staff/"
            f"{self.staff_ids[staff.sub]}/tracks/{track_key}/training-waiver",
            {"reason": reason},
            token=support,
        )
        progress = track["progress"]
        with self.lock:
            self.waivers.append(waiver)
            self.trained[(staff.sub, track_key)] = Trained(
                0, progress["modules_completed"], progress["modules_total"], waived=True
            )
        return waiver

    def sit_exam(self, staff: Staff, track_key: str, outcome: str) -> dict[str, Any]:
        token = self.token(staff)
        paper = call(
            "POST", f"{self.url('assessment')}/v1/me/tracks/{track_key}/attempts", token=token
        )
        key = self.keys[track_key]
        questions = paper["paper"]["questions"]
        rng = random.Random(paper["attempt_id"])  # noqa: S311 - not security
        # A pass answers every question right; a fail gets about half wrong.
        wrong = (
            set(rng.sample(range(len(questions)), len(questions) // 2))
            if outcome == "fail"
            else set()
        )
        answers: dict[str, list[str]] = {}
        for i, question in enumerate(questions):
            correct = list(key[question["id"]])
            if i in wrong:
                others = [o["id"] for o in question["options"] if o["id"] not in correct]
                answers[question["id"]] = [others[0]] if others else []
            else:
                answers[question["id"]] = correct
        result: dict[str, Any] = call(
            "POST",
            f"{self.url('assessment')}/v1/me/attempts/{paper['attempt_id']}/submission",
            {"answers": answers},
            token=token,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        with self.lock:
            self.submissions[staff.operator] += 1
        if result["result"] != outcome:
            self.problem(f"{staff.name} {track_key}: expected {outcome}, got {result['result']}")
        return result

    def tracks_of(self, staff: Staff) -> list[str]:
        tracks = call("GET", f"{self.url('assessment')}/v1/me/tracks", token=self.token(staff))
        return sorted(t["track_key"] for t in tracks["tracks"])


def answer_keys() -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, list[tuple[str, int]]]]:
    """Answer keys per track and release policies, from the content authors' bundled files."""
    from catalogue.bundled import BUNDLED_CONTENT_DIR
    from catalogue.domain import resolve

    resolved = resolve(BUNDLED_CONTENT_DIR)
    keys = {t.key: {q.id: tuple(q.correct) for q in t.question_pool} for t in resolved.tracks}
    policies = {p.jurisdiction: list(p.requirements) for p in resolved.release_policies}
    return keys, policies
