"""summary.html: what an inspector reads first, in plain language, escaped and deterministic."""

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Sequence
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

from auditpack_builders import DAY, OP, at, build_bytes, handful, members

from auditpack.derive import RELEASE_HEADER, TRAINING_HEADER
from auditpack.findings import Findings
from auditpack.manifest import Manifest
from auditpack.period import Period, utc_text
from auditpack.records import AuditRecord
from auditpack.summary import SummaryFacts, write_summary
from auditpack.summary_data import (
    REGISTER_HEADER,
    CertificateNotice,
    certificate_notice,
    notices_from_lines,
    notices_in,
    short_version,
)
from auditpack.summary_legacy import write_legacy_summary
from auditpack.verify_content import ContentCounts, check_summary
from contracts.assessment import CertificationRevoked, TrainingState

VERSION = "3f2a9c1b07de" + "5" * 52
PASSED = utc_text(at(hour=9))


def facts(**over: Any) -> SummaryFacts:
    values: dict[str, Any] = {
        "operator_id": OP,
        "period": Period.day(DAY),
        "pack_seq": 3,
        "previous_manifest_sha256": "ab" * 32,
        "event_count": 12,
        "training_count": 1,
        "release_count": 1,
        "tree_size_before": 40,
        "tree_size": 52,
        "root_hex": "cd" * 32,
        "key_id": "test-key",
    }
    values.update(over)
    return SummaryFacts(**values)


def _row(header: Sequence[str], values: dict[str, str]) -> list[str]:
    assert set(values) <= set(header)
    return [values.get(column, "") for column in header]


def release(**over: str) -> list[str]:
    values = {
        "release_id": "rel-1",
        "jurisdiction": "MGA",
        "tooling": "mga-suite;mga-reports",
        "released_at": utc_text(at(hour=12)),
        "reason": "certification",
        "certificate_ids": "cert-2",
        "certificates_passed_at": PASSED,
        "trained_before_release": "true",
    }
    return _row(RELEASE_HEADER, values | over)


def forced(**over: str) -> list[str]:
    values = {
        "release_id": "rel-forced",
        "reason": "manual_override",
        "certificate_ids": "",
        "certificates_passed_at": "",
        "override_actor": "support.jane@vendor.example",
        "override_reason": "Regulator visit tomorrow; exam booked",
        "trained_before_release": "false",
    }
    return release(**(values | over))


def attempt_row(**over: str) -> list[str]:
    values = {
        "attempt_id": "att-2",
        "staff_id": "staff-1",
        "staff_name": "Ana Borg",
        "staff_email": "ana@op-test.example",
        "role": "compliance_officer",
        "jurisdiction": "MGA",
        "track_version": VERSION,
        "attempt_number": "2",
        "started_at": utc_text(at(hour=8, minute=30)),
        "submitted_at": PASSED,
        "score": "90",
        "pass_mark": "80",
        "result": "pass",
        "certificate_id": "cert-2",
        "certificate_valid_until": utc_text(at(hour=9) + timedelta(days=548)),
    }
    return _row(TRAINING_HEADER, values | over)


def register_row(**over: str) -> list[str]:
    values = {
        "staff_id": "staff-1",
        "staff_name": "Ana Borg",
        "staff_email": "ana@op-test.example",
        "role": "compliance_officer",
        "jurisdiction": "MGA",
        "regulator": "Malta Gaming Authority (MGA)",
        "track_key": "MGA.compliance_officer",
        "track_title": "Malta: compliance officer",
        "track_version": VERSION,
        "modules_required": "core-aml;mga-framework",
        "modules_completed": f"core-aml={utc_text(at(hour=7))}",
        "attempts": "2",
        "best_score": "90",
        "pass_mark": "80",
        "result": "pass",
        "certificate_id": "cert-2",
        "certificate_valid_until": utc_text(at(hour=9) + timedelta(days=548)),
    }
    return _row(REGISTER_HEADER, values | over)


def revoked(**over: str) -> CertificateNotice:
    values: dict[str, Any] = {
        "kind": "revoked",
        "certificate_id": "cert-2",
        "staff_id": "staff-1",
        "role": "compliance_officer",
        "jurisdiction": "MGA",
        "at": utc_text(at(hour=16)),
        "actor": "support.tom@vendor.example",
        "reason": "Exam sat on a shared account",
        "staff_name": "Ana Borg",
        "regulator": "Malta Gaming Authority (MGA)",
        "track_title": "Malta: compliance officer",
        "track_version": VERSION,
    }
    return CertificateNotice(**(values | over))


def render(
    training: Sequence[Sequence[str]] = (),
    releases: Sequence[Sequence[str]] = (),
    register: Sequence[Sequence[str]] | None = None,
    notices: Sequence[CertificateNotice] | None = None,
    **over: Any,
) -> str:
    out = io.BytesIO()
    write_summary(out.write, facts(**over), iter(training), iter(releases), register, notices)
    return out.getvalue().decode()


def text(page: str) -> str:
    """The page's visible text, whitespace collapsed (what a reader sees, roughly)."""
    body = re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    body = body.replace('<span class="sub">', " ")  # a second line in its cell
    body = re.sub(r"</?(span|strong|code|a)\b[^>]*>", "", body)
    body = re.sub(r"<[^>]+>", " ", body)
    unescaped = body.replace("&#x27;", "'").replace("&quot;", '"').replace("&lt;", "<")
    return " ".join(unescaped.replace("&gt;", ">").replace("&amp;", "&").split())


def attention(page: str) -> str:
    return text(page[page.index('<section id="attention"') : page.index('<section id="releases"')])


def test_a_forced_release_is_listed_first_with_actor_and_reason() -> None:
    page = render(releases=[release(), forced()])
    first = attention(page)
    assert "2 items in this period need attention." in first
    assert (
        "Releases forced by support MGA: mga-suite, mga-reports released on 24 Nov 2026, "
        "12:00:00 UTC by support.jane@vendor.example without waiting for certification. "
        "Reason given: “Regulator visit tomorrow; exam booked”. Release rel-forced."
    ) in first
    assert "rel-1" not in first
    assert page.index("Needs attention") < page.index("Releases of licensing tooling")


def test_a_release_without_complete_training_is_listed_with_the_reason() -> None:
    late = release(release_id="rel-late", trained_before_release="false")
    first = attention(render(releases=[late], register=[]))
    assert "1 item in this period needs attention." in first
    untrained = first[first.index("Releases without complete training") :]
    assert (
        "No. None of the evidence certificates was passed before the release and still valid "
        "at it, with every module its track required completed before it was issued. "
        "Release rel-late."
    ) in untrained


def test_a_forced_release_without_evidence_is_also_a_release_without_training() -> None:
    first = attention(render(releases=[forced()]))
    untrained = first[first.index("Releases without complete training") :]
    assert "No. No certificate was offered as evidence" in untrained
    assert "rel-forced" in untrained


def test_a_revoked_certificate_is_listed_with_holder_actor_and_reason() -> None:
    page = render(releases=[release()], register=[register_row()], notices=[revoked()])
    first = attention(page)
    assert (
        "Revoked or expired certificates Malta Gaming Authority (MGA): certificate cert-2 of "
        "Ana Borg (Compliance officer). Revoked on 24 Nov 2026, 16:00:00 UTC by "
        "support.tom@vendor.example, giving the reason “Exam sat on a shared account”. "
        "A revoked certificate no longer counts as evidence of training."
    ) in first
    ended = attention(render(register=[], notices=[revoked(reason="Retake required.")]))
    assert "“Retake required.” A revoked certificate" in ended
    releases = text(page[page.index('<section id="releases"') :])
    assert "cert-2 Ana Borg, passed 24 Nov 2026, 09:00:00 UTC; revoked in this period" in releases


def test_a_notice_without_training_state_names_the_holder_from_the_rows() -> None:
    bare = revoked(staff_name="", regulator="", track_title="", track_version="")
    first = attention(render(training=[attempt_row()], register=[], notices=[bare]))
    assert "MGA: certificate cert-2 of Ana Borg (Compliance officer). Revoked" in first
    unknown = attention(render(register=[], notices=[bare]))
    assert "certificate cert-2 of staff member staff-1 (Compliance officer)" in unknown


def test_an_expired_certificate_is_listed() -> None:
    expired = revoked(kind="expired", actor="", reason="", at=utc_text(at(hour=0)))
    first = attention(render(register=[], notices=[expired]))
    assert "certificate cert-2 of Ana Borg (Compliance officer). Expired on 24 Nov 2026" in first
    assert "until its holder passes the exam again" in first


def test_a_quiet_day_says_nothing_needs_attention_and_dead_letters_are_not_in_the_log() -> None:
    first = attention(render(releases=[release()], register=[], notices=[]))
    assert "Nothing in this period needs attention." in first
    assert first.count("None in this period.") == 3
    assert "Dead-lettered events None recorded in this log." in first
    assert "dead-letter topic instead of entering the audit log" in first


def test_a_revision_1_pack_says_it_does_not_list_certificate_events() -> None:
    first = attention(render(releases=[release()]))
    assert "Revoked or expired certificates are not listed in this pack" in first
    assert "academy.certification.revoked.v1" in first


def test_jurisdictions_show_the_regulator_and_tracks_their_title_and_short_version() -> None:
    gsc = register_row(
        staff_id="staff-9",
        jurisdiction="GSC",
        regulator="Isle of Man Gambling Supervision Commission",
        track_title="Isle of Man: MLRO",
        track_version="gsc-7",
    )
    page = render(
        training=[attempt_row()],
        releases=[release()],
        register=[register_row(), gsc],
        notices=[],
    )
    headings = re.findall(r"<h([23])[^>]*>(.*?)</h\1>", page)
    assert [h for level, h in headings if level == "2"] == [
        "Needs attention",
        "Releases of licensing tooling",
        "Staff training and certificates",
        "About this pack",
    ]
    assert [h for level, h in headings if level == "3"][4:7] == [
        "Malta Gaming Authority (MGA)",  # releases
        "Isle of Man Gambling Supervision Commission (GSC)",  # training, in code order
        "Malta Gaming Authority (MGA)",
    ]
    shown = text(page)
    assert "<h3>UKGC</h3>" in render(register=[register_row(jurisdiction="UKGC", regulator="UKGC")])
    assert "Malta: compliance officer version 3f2a9c1b07de" in shown
    assert VERSION not in page
    assert "Isle of Man: MLRO version gsc-7" in shown
    assert "Ana Borg ana@op-test.example Compliance officer Malta: compliance officer" in shown
    assert "1 of 2 not completed: mga-framework" in shown
    assert "24 Nov 2026, 08:30:00 to 09:00:00 UTC 90% pass mark 80% Passed cert-2" in shown


def test_each_judgement_comes_with_a_sentence() -> None:
    shown = text(render(releases=[release(), forced()], register=[], notices=[revoked()]))
    assert (
        "By certification: the jurisdiction’s release policy was met by staff holding valid "
        "certificates."
    ) in shown
    assert "Yes. An evidence certificate was passed before the release and still valid" in shown
    assert "Forced by support. support.jane@vendor.example released the tooling by hand" in shown
    for term in ("Trained before release", "Forced by support", "Revoked", "Expired"):
        assert f"{term} " in shown[shown.index("What the judgements mean") :]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += attrs


HOSTILE = '<script>alert(1)</script>" onmouseover="x'


def test_hostile_names_reasons_and_titles_are_shown_as_text() -> None:
    page = render(
        training=[attempt_row(staff_name=HOSTILE, staff_email=HOSTILE)],
        releases=[forced(override_actor=HOSTILE, override_reason=HOSTILE, tooling=HOSTILE)],
        register=[register_row(staff_name=HOSTILE, regulator=HOSTILE, track_title=HOSTILE)],
        notices=[revoked(staff_name=HOSTILE, actor=HOSTILE, reason=HOSTILE)],
        operator_id=HOSTILE,
    )
    parsed = _Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert all(name != "onmouseover" for name, _ in parsed.attributes)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x" in page
    assert page.count("&lt;script&gt;") >= 8


def test_the_page_is_self_contained_and_has_print_styles() -> None:
    page = render(training=[attempt_row()], releases=[release()], register=[], notices=[])
    parsed = _Tags()
    parsed.feed(page)
    assert {"script", "img", "link", "iframe", "object"}.isdisjoint(parsed.tags)
    assert {value for name, value in parsed.attributes if name == "href"} == {
        "#attention",
        "#releases",
        "#training",
        "#about",
    }
    assert not any(name == "src" for name, _ in parsed.attributes)
    assert "default-src 'none'" in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "@page{size:A4" in page
    assert "@media print{" in page
    assert re.search(r"<table>\n<caption>[^<]+</caption>", page)


def test_the_page_is_a_deterministic_function_of_its_inputs() -> None:
    inputs: dict[str, Any] = {
        "training": [attempt_row(), attempt_row(attempt_id="att-3", jurisdiction="GSC")],
        "releases": [release(), forced()],
        "register": [register_row()],
        "notices": [revoked()],
    }
    first = render(**inputs)
    assert render(**inputs) == first
    assert render(**inputs, pack_seq=4) != first


def test_malformed_rows_render_as_they_are_instead_of_failing() -> None:
    short = ["rel-x", "MGA"]
    odd = attempt_row(score="ninety", submitted_at="yesterday")
    shown = text(render(training=[odd], releases=[short], register=[["only-a-staff-id"]]))
    assert "ninety" in shown
    assert "yesterday" in shown
    assert "rel-x" in shown


def test_many_attempts_go_to_their_jurisdiction_whatever_their_order() -> None:
    rows = [
        attempt_row(attempt_id=f"att-{i}", jurisdiction=("MGA", "GSC")[i % 2]) for i in range(400)
    ]
    page = render(training=rows)
    training = page[page.index('<section id="training"') : page.index('<section id="about"')]
    gsc, mga = training.index("<h3>GSC</h3>"), training.index("<h3>MGA</h3>")
    assert gsc < mga
    assert training.count("<tr><td>Ana Borg") == 400
    assert training[gsc:mga].count("<tr><td>Ana Borg") == 200


def test_short_versions_cut_only_long_hex_digests() -> None:
    assert short_version(VERSION) == "3f2a9c1b07de"
    assert short_version("mga-2026.2") == "mga-2026.2"
    assert short_version("abc123") == "abc123"


def _state() -> TrainingState:
    return TrainingState(
        staff_name="Ana Borg",
        staff_email="ana@op-test.example",
        jurisdiction="MGA",
        regulator="Malta Gaming Authority (MGA)",
        role="compliance_officer",
        track_key="MGA.compliance_officer",
        track_title="Malta: compliance officer",
        track_version=VERSION,
        modules_required=["core-aml"],
        modules_completed=[],
        attempts=1,
        pass_mark=80,
    )


def _revocation_record(index: int, training: TrainingState | None) -> AuditRecord:
    data = CertificationRevoked(
        certificate_id="cert-2",
        staff_id="staff-1",
        role="compliance_officer",
        jurisdiction="MGA",
        actor="support.tom@vendor.example",
        reason="Exam sat on a shared account",
        revoked_at=at(hour=16),
        training=training,
    )
    event = {
        "specversion": "1.0",
        "id": f"evt-{index}",
        "source": "/academy/assessment",
        "type": CertificationRevoked.ce_type,
        "time": utc_text(at(hour=16)),
        "tenantid": OP,
        "data": data.model_dump(mode="json"),
    }
    return AuditRecord(index=index, recorded_at=at(hour=16), event=event)


def test_certificate_notices_come_from_revoked_and_expired_events_in_log_order() -> None:
    with_state, without = _revocation_record(0, _state()), _revocation_record(1, None)
    assert certificate_notice(with_state.event) == revoked(at="2026-11-24T16:00:00Z")
    bare = certificate_notice(without.event)
    assert bare is not None
    assert (bare.staff_name, bare.regulator, bare.track_version) == ("", "", "")
    lesson = handful()[0]
    lines = [lesson.line, with_state.line + b"\n", b"not json", without.line]
    assert notices_from_lines(lines) == [certificate_notice(with_state.event), bare]
    jsonl = b"".join(r.line + b"\n" for r in (lesson, with_state, without, lesson))
    for size in (7, 100, 1 << 20):
        assert notices_in(io.BytesIO(jsonl), chunk_size=size) == [
            certificate_notice(with_state.event),
            bare,
        ]
    broken = {**with_state.event, "data": {"certificate_id": "cert-2"}}
    assert certificate_notice(broken) is None
    assert certificate_notice(lesson.event) is None


def _legacy_summary(files: dict[str, bytes]) -> bytes:
    """The page as the builder wrote it before the inspector summary."""
    manifest = json.loads(files["manifest.json"])
    training, releases = _csv(files["training-records.csv"]), _csv(files["release-evidence.csv"])
    old = facts(
        pack_seq=manifest["pack_seq"],
        previous_manifest_sha256=manifest["previous_manifest_sha256"],
        event_count=len(files["events.jsonl"].splitlines()),
        training_count=len(training),
        release_count=len(releases),
        tree_size_before=manifest["log"]["tree_size_before"],
        tree_size=manifest["log"]["tree_size"],
        root_hex=manifest["log"]["root"],
        key_id=manifest["key_id"],
    )
    out = io.BytesIO()
    write_legacy_summary(out.write, old, training, releases)
    return out.getvalue()


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))[1:]


def _summary_findings(files: dict[str, bytes], names: Sequence[str], page: bytes) -> list[str]:
    """check_summary of a pack holding `names` of `files` and `page` as its summary.html."""
    manifest = Manifest.model_validate_json(files["manifest.json"])
    container = io.BytesIO()
    with zipfile.ZipFile(container, "w") as zf:
        for name in names:
            zf.writestr(name, files[name])
    counts = ContentCounts(
        len(files["events.jsonl"].splitlines()),
        len(_csv(files["training-records.csv"])),
        len(_csv(files["release-evidence.csv"])),
    )
    out = Findings()
    with zipfile.ZipFile(container) as zf:
        digest = hashlib.sha256(page).hexdigest()
        check_summary(zf, manifest, Period.day(DAY), counts, digest, out)
    return [str(f) for f in out.items]


def test_a_revision_1_pack_may_carry_the_summary_packs_built_before_had() -> None:
    files = members(build_bytes(handful())[0])
    revision_1 = ["events.jsonl", "training-records.csv", "release-evidence.csv"]
    legacy = _legacy_summary(files)
    assert b"<h2>Training records (exam attempts)</h2>" in legacy
    assert _summary_findings(files, revision_1, legacy) == []
    forged = legacy.replace(b"Ana Borg", b"Ana Borq")
    assert _summary_findings(files, revision_1, forged) == [
        "summary.html: agrees with the events: differs from the summary the manifest and "
        "events give"
    ]
    files["training-register.csv"] = ",".join(REGISTER_HEADER).encode() + b"\r\n"
    revision_2 = [*revision_1, "training-register.csv"]
    assert _summary_findings(files, revision_2, legacy) != []  # a new pack has the new page
