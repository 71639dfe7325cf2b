"""The sections of summary.html, in plain language, each judgement with the sentence that
explains it. Pure functions from the summary's data to escaped HTML text."""

from collections.abc import Mapping, Sequence

from auditpack.summary_data import (
    Attempt,
    Attention,
    CertificateNotice,
    Names,
    RegisterEntry,
    Release,
    short_version,
)
from auditpack.summary_html import (
    e,
    facts_table,
    moment_text,
    mono,
    quoted,
    role_text,
    row,
    span_text,
    stop,
    sub,
)

Notices = Mapping[str, CertificateNotice]

NONE = "<p>None in this period.</p>\n"

REVISION_1_CERTIFICATES = (
    "<p>Not listed here: this pack has no training register (contract revision 1), and such "
    "packs do not gather certificate events. Look for <code>academy.certification.revoked.v1"
    "</code> and <code>academy.certification.expired.v1</code> in events.jsonl.</p>\n"
)

DEAD_LETTERS = (
    "<p>None recorded in this log. An event the audit service cannot accept (for example an "
    "exam attempt or a release whose data does not match its contract) is set aside on a "
    "dead-letter topic instead of entering the audit log, so no pack can list it. Ask the "
    "vendor whether any event of this operator was set aside in this period.</p>\n"
)


def _condition(revision_2: bool) -> str:
    modules = ", with every module its track required completed before it was issued"
    return "passed before the release and still valid at it" + (modules if revision_2 else "")


def trained_sentence(release: Release, revision_2: bool) -> str:
    """Yes/No with the sentence that explains `trained_before_release`."""
    if release.trained:
        return (
            f'<span class="yes">Yes.</span> An evidence certificate was {_condition(revision_2)}.'
        )
    if not release.certificate_ids:
        return (
            '<span class="no">No.</span> No certificate was offered as evidence, so nothing '
            "shows that staff were trained before the release."
        )
    return (
        '<span class="no">No.</span> None of the evidence certificates was '
        f"{_condition(revision_2)}."
    )


def how_sentence(release: Release) -> str:
    """How the tooling was released, in a sentence."""
    if release.forced:
        return (
            f'<span class="no">Forced by support.</span> {e(release.override_actor)} released '
            f"the tooling by hand, giving the reason {quoted(release.override_reason)}; it did "
            "not wait for the release policy to be met by certified staff."
        )
    if release.reason == "certification":
        return (
            "By certification: the jurisdiction’s release policy was met by staff holding "
            "valid certificates."
        )
    return e(release.reason)


def notice_sentence(notice: CertificateNotice) -> str:
    """What happened to a certificate and what it means, in a sentence."""
    if notice.kind == "revoked":
        return (
            f'<span class="no">Revoked</span> on {e(moment_text(notice.at))} by '
            f"{e(notice.actor)}, giving the reason {quoted(notice.reason)}{stop(notice.reason)} "
            "A revoked "
            "certificate no longer counts as evidence of training."
        )
    return (
        f'<span class="no">Expired</span> on {e(moment_text(notice.at))}: it no longer counts '
        "as evidence of training until its holder passes the exam again."
    )


def _tooling(release: Release) -> str:
    return e(", ".join(release.tooling)) if release.tooling else "(no tooling named)"


def _holder(notice: CertificateNotice, names: Names) -> str:
    name = notice.staff_name or names.holders.get(notice.certificate_id, "")
    return e(name) if name else f"staff member {mono(notice.staff_id)}"


def track_cell(names: Names, jurisdiction: str, version: str, title: str = "") -> str:
    title = title or names.track_title(jurisdiction, version)
    key = (jurisdiction, version, title)
    cell = names.cells.get(key)
    if cell is None:
        version_html = f"version {mono(short_version(version))}"
        cell = names.cells[key] = f"{e(title)}{sub(version_html)}" if title else version_html
    return cell


def attention_section(att: Attention, names: Names, revision_2: bool) -> str:
    """The first section: everything an inspector should look at, each with its facts."""
    count = att.count
    if count:
        verb = "needs" if count == 1 else "need"
        lead = f"{count} item{'' if count == 1 else 's'} in this period {verb} attention."
    else:
        lead = "Nothing in this period needs attention."
    if att.certificates is None:
        lead += " Revoked or expired certificates are not listed in this pack (see below)."
    parts = [
        '<section id="attention" aria-labelledby="attention-h">\n',
        f'<div class="box{" warn" if count else ""}">\n',
        '<h2 id="attention-h">Needs attention</h2>\n',
        f'<p class="count">{e(lead)}</p>\n',
        "<h3>Releases forced by support</h3>\n",
    ]
    forced = [
        f"<li><strong>{e(names.jurisdiction(r.jurisdiction))}</strong>: {_tooling(r)} "
        f"released on {e(moment_text(r.released_at))} by {e(r.override_actor)} without "
        f"waiting for certification. Reason given: {quoted(r.override_reason)}"
        f"{stop(r.override_reason)} "
        f"Release {mono(r.release_id)}.</li>\n"
        for r in att.forced
    ]
    parts += _items(forced)
    parts.append("<h3>Releases without complete training</h3>\n")
    untrained = [
        f"<li><strong>{e(names.jurisdiction(r.jurisdiction))}</strong>: {_tooling(r)} "
        f"released on {e(moment_text(r.released_at))}. {trained_sentence(r, revision_2)} "
        f"Release {mono(r.release_id)}.</li>\n"
        for r in att.untrained
    ]
    parts += _items(untrained)
    parts.append("<h3>Revoked or expired certificates</h3>\n")
    if att.certificates is None:
        parts.append(REVISION_1_CERTIFICATES)
    else:
        parts += _items(
            [
                f"<li><strong>{e(names.jurisdiction(n.jurisdiction))}</strong>: certificate "
                f"{mono(n.certificate_id)} of {_holder(n, names)} ({e(role_text(n.role))}). "
                f"{notice_sentence(n)}</li>\n"
                for n in att.certificates
            ]
        )
    parts += ["<h3>Dead-lettered events</h3>\n", DEAD_LETTERS, "</div>\n</section>\n"]
    return "".join(parts)


def _items(items: Sequence[str]) -> list[str]:
    return ['<ul class="items">\n', *items, "</ul>\n"] if items else [NONE]


def evidence_cell(release: Release, names: Names, notices: Notices) -> str:
    if not release.certificate_ids:
        return "None"
    lines = []
    for i, certificate in enumerate(release.certificate_ids):
        holder = names.holders.get(certificate, "")
        passed = release.passed_at[i] if i < len(release.passed_at) else ""
        detail = f"{e(holder)}, passed" if holder else "Passed"
        detail += f" {e(moment_text(passed))}"
        notice = notices.get(certificate)
        if notice is not None:
            detail += f'; <span class="no">{e(notice.kind)} in this period</span>'
        lines.append(f"{mono(certificate)}{sub(detail)}")
    return "".join(lines)


def release_row(release: Release, names: Names, notices: Notices, revision_2: bool) -> str:
    return row(
        [
            f"{e(moment_text(release.released_at))}{sub('release ' + mono(release.release_id))}",
            _tooling(release),
            how_sentence(release),
            evidence_cell(release, names, notices),
            trained_sentence(release, revision_2),
        ]
    )


def _certificate_cell(certificate_id: str, valid_until: str, notices: Notices) -> str:
    if not certificate_id:
        return "None"
    detail = f"valid until {e(moment_text(valid_until))}" if valid_until else ""
    notice = notices.get(certificate_id)
    if notice is not None:
        detail += f'; <span class="no">{e(notice.kind)} {e(moment_text(notice.at))}</span>'
    return mono(certificate_id) + (sub(detail.removeprefix("; ")) if detail else "")


def _staff_cell(name: str, email: str) -> str:
    return e(name) + (sub(e(email)) if email else "")


def _percent(value: str) -> str:
    return f"{e(value)}%" if value.isdigit() else e(value) or "–"


def _result(value: str, *, empty: str) -> str:
    return {"pass": "Passed", "fail": '<span class="no">Failed</span>'}.get(
        value, e(value) or empty
    )


def attempt_row(attempt: Attempt, names: Names, notices: Notices) -> str:
    return row(
        [
            _staff_cell(attempt.staff_name, attempt.staff_email),
            e(role_text(attempt.role)),
            track_cell(names, attempt.jurisdiction, attempt.track_version),
            e(attempt.attempt_number),
            e(span_text(attempt.started_at, attempt.submitted_at)),
            _percent(attempt.score) + sub(f"pass mark {_percent(attempt.pass_mark)}"),
            _result(attempt.result, empty="–"),
            _certificate_cell(attempt.certificate_id, attempt.certificate_valid_until, notices),
        ]
    )


def register_row(entry: RegisterEntry, names: Names, notices: Notices) -> str:
    required, missing = entry.modules_required, entry.modules_missing
    if not required:
        modules = "None required"
    else:
        done = f"{len(required) - len(missing)} of {len(required)}"
        modules = f'<span class="no">{done}</span>' if missing else done
        if missing:
            modules += sub("not completed: " + e(", ".join(missing)))
    return row(
        [
            _staff_cell(entry.staff_name, entry.staff_email),
            e(role_text(entry.role)),
            track_cell(names, entry.jurisdiction, entry.track_version, entry.track_title),
            modules,
            e(entry.attempts) or "0",
            _percent(entry.best_score) + sub(f"pass mark {_percent(entry.pass_mark)}"),
            _result(entry.result, empty="No attempt yet"),
            _certificate_cell(entry.certificate_id, entry.certificate_valid_until, notices),
        ]
    )


def notice_row(notice: CertificateNotice, names: Names) -> str:
    track = (
        track_cell(names, notice.jurisdiction, notice.track_version, notice.track_title)
        if notice.track_version
        else "–"
    )
    return row(
        [mono(notice.certificate_id), _holder(notice, names), track, notice_sentence(notice)]
    )


def glossary(revision_2: bool) -> str:
    """What each judgement on this page means, for a reader without the contract."""
    trained = (
        "Yes when at least one certificate offered as evidence was "
        f"{_condition(revision_2)}; otherwise No, including a forced release without evidence."
    )
    entries = [
        ("Trained before release", trained),
        (
            "Forced by support",
            "A support engineer released the tooling by hand (a manual override) instead of "
            "waiting for the release policy to be met by certified staff. The pack records who "
            "did it and the reason they gave.",
        ),
        (
            "Revoked",
            "Support withdrew a certificate before it expired, recording who did it and why. "
            "From then on it does not count as evidence of training.",
        ),
        (
            "Expired",
            "A certificate reached the end of its validity; its holder must pass the exam "
            "again (recertify) for it to count.",
        ),
        (
            "Track and version",
            "A track is the training for one role in one jurisdiction. Its version is the "
            "SHA-256 fingerprint of the exact content taken; the page shows its first 12 "
            "characters, the CSV files the full value.",
        ),
    ]
    body = "".join(f"<dt>{e(term)}</dt><dd>{e(text)}</dd>\n" for term, text in entries)
    return f"<h3>What the judgements mean</h3>\n<dl>\n{body}</dl>\n"


def facts(rows: Sequence[tuple[str, str, bool]]) -> str:
    return "<h3>Pack facts</h3>\n" + facts_table("Facts from manifest.json", rows)
