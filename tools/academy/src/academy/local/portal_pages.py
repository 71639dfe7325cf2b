"""The reference portal's HTML: sign-in, the portal page with its two tabs, the tooling panel,
and the unlocks table. Every value is escaped here; the page's script is /static/portal.js."""

import html
from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

from academy.local.portal_people import (
    OVERVIEW_ELEMENT,
    SUPPORT_ELEMENT,
    DemoPerson,
)

#: Each element's section heading on the Certification tab.
ELEMENT_TITLES = {
    "academy-learning": "Your training",
    OVERVIEW_ELEMENT: "Your operator's certification",
    SUPPORT_ELEMENT: "Support console",
}
REASONS = {"certification": "certified staff", "manual_override": "support override"}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _document(title: str, body: str, *, head: str = "") -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_e(title)}</title><link rel="stylesheet" href="/static/portal.css">{head}'
        f"</head><body>{body}</body></html>"
    )


def sign_in_page(
    people: Sequence[DemoPerson],
    *,
    current: DemoPerson | None = None,
    error: str | None = None,
) -> str:
    """A form of radio buttons, one per demo person, grouped by operator."""
    numbered = list(enumerate(people))
    fieldsets = []
    for operator, members in groupby(numbered, key=lambda item: item[1].operator_id):
        options = "".join(
            f'<div class="person"><input type="radio" name="person" id="person-{n}" '
            f'value="{_e(p.key)}"{" required" * (n == 0)}{" checked" * (p == current)}'
            f' aria-describedby="person-{n}-role"><label for="person-{n}">{_e(p.name)}</label> '
            f'<span class="role" id="person-{n}-role">{_e(p.role)}</span></div>'
            for n, p in members
        )
        fieldsets.append(f"<fieldset><legend>{_e(operator)}</legend>{options}</fieldset>")
    problem = (
        f'<p class="problem" role="alert" id="sign-in-problem">{_e(error)}</p>' if error else ""
    )
    signed_in = (
        f'<p class="signed-in">You are signed in as {_e(current.name)}. '
        '<a href="/portal">Go to the portal</a></p>'
        if current
        else ""
    )
    body = (
        '<header class="portal-header"><p class="brand">Partner portal</p></header>'
        '<main class="sign-in"><h1>Sign in</h1>'
        "<p>Choose a demo person to sign in as. The portal asks the development issuer for "
        "their token, as the real portal's Okta session would.</p>"
        f"{signed_in}{problem}"
        '<form method="post" action="/sign-in">'
        f"{''.join(fieldsets)}"
        '<button type="submit">Sign in</button></form>'
        '<p class="aside"><a href="/unlocks.html">Unlocked tooling of every operator</a></p>'
        "</main>"
    )
    return _document("Sign in · Partner portal", body)


def portal_page(
    person: DemoPerson,
    *,
    elements: Sequence[str],
    assessment_url: str,
    release_bridge_url: str,
    tooling: str,
) -> str:
    """The header, the tablist (tooling, certification) and the academy elements to place."""
    kit = f"{assessment_url}/ui"
    slots = "".join(
        f'<section class="academy-slot" aria-label="{_e(ELEMENT_TITLES.get(name, name))}">'
        f'<{name} api-base="{_e(assessment_url)}" release-api-base="{_e(release_bridge_url)}">'
        f"</{name}></section>"
        for name in elements
    )
    if not elements:
        slots = '<p class="empty">Nothing to certify for this person.</p>'
    header = (
        '<header class="portal-header"><p class="brand">Partner portal</p>'
        f'<p class="who"><span class="name">{_e(person.name)}</span> '
        f'<span class="role">{_e(person.role)}</span> '
        f'<span class="operator">{_e(person.operator_id)}</span></p>'
        '<form method="post" action="/sign-out"><button type="submit">Sign out</button></form>'
        "</header>"
    )
    body = (
        f"{header}"
        f'<main id="portal" data-kit-url="{_e(kit)}/academy-ui.js">'
        f'<h1 class="visually-hidden">Partner portal of {_e(person.operator_id)}</h1>'
        '<p class="session-ended" role="alert" hidden>Your portal session has ended. '
        '<a href="/">Sign in again</a></p>'
        '<div role="tablist" aria-label="Portal sections">'
        '<button type="button" role="tab" id="tab-tooling" aria-controls="panel-tooling" '
        'aria-selected="true" tabindex="0">Licensing tooling</button>'
        '<button type="button" role="tab" id="tab-certification" '
        'aria-controls="panel-certification" aria-selected="false" tabindex="-1">'
        "Certification</button></div>"
        '<section role="tabpanel" id="panel-tooling" aria-labelledby="tab-tooling" tabindex="0">'
        f'<div id="tooling" data-live="connecting">{tooling}</div>'
        '<p class="visually-hidden" role="status" id="tooling-news"></p></section>'
        '<section role="tabpanel" id="panel-certification" aria-labelledby="tab-certification" '
        'tabindex="0" hidden>'
        '<p role="status" id="kit-status">Loading the certification screens…</p>'
        f"{slots}</section></main>"
        '<script type="module" src="/static/portal.js"></script>'
    )
    head = f'<link rel="stylesheet" href="{_e(kit)}/academy-ui.css">'
    return _document(f"{person.operator_id} · Partner portal", body, head=head)


def tooling_panel(rows: Sequence[dict[str, Any]], *, operator_id: str | None) -> str:
    """The operator's unlocked tooling (every operator's when `operator_id` is None)."""
    whose = "every operator" if operator_id is None else operator_id
    heading = f'<h2 id="tooling-title">Licensing tooling of {_e(whose)}</h2>'
    if not rows:
        return (
            f'{heading}<p class="empty">No licensing tooling is unlocked for {_e(whose)} yet. '
            "A jurisdiction's tooling unlocks when its release policy is met (by default: a "
            "compliance officer certified for it).</p>"
        )
    columns = ["jurisdiction", "tooling", "state", "since", "why"]
    if operator_id is None:
        columns.insert(0, "operator")
    head = "".join(f'<th scope="col">{name}</th>' for name in columns)
    lines = []
    for row in rows:
        cells = {
            "operator": _e(row["operator_id"]),
            "jurisdiction": _e(row["jurisdiction"]),
            "tooling": _cell(row["tooling"]),
            "state": f'<span class="state state-{_e(row["state"])}">{_e(row["state"])}</span>',
            "since": _e(_when(row["unlocked_at"])),
            "why": _e(REASONS.get(row["reason"], row["reason"])),
        }
        lines.append("<tr>" + "".join(f"<td>{cells[c]}</td>" for c in columns) + "</tr>")
    return (
        f'{heading}<table class="tooling" aria-labelledby="tooling-title">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"
    )


def _when(value: datetime | str) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%-d %B %Y, %H:%M UTC")


#: The unlocks table's columns: (key in an `/unlocks` row, heading).
PAGE_COLUMNS = (
    ("operator_id", "operator"),
    ("jurisdiction", "jurisdiction"),
    ("tooling", "tooling"),
    ("state", "state"),
    ("reason", "reason"),
    ("unlocked_at", "unlocked at"),
    ("deliveries", "deliveries"),
)


def unlocks_page(rows: list[dict[str, Any]]) -> str:
    """`/unlocks.html`: one table row per operator and jurisdiction, every value escaped."""
    head = "".join(f'<th scope="col">{html.escape(title)}</th>' for _, title in PAGE_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row[key])}</td>" for key, _ in PAGE_COLUMNS) + "</tr>"
        for row in rows
    )
    return _document(
        "Unlocked tooling · Reference portal",
        '<main><h1>Unlocked licensing tooling</h1><p><a href="/">Sign in</a></p>'
        f'<table class="unlocks"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</main>",
    )


def _cell(value: Any) -> str:
    """A value as escaped text; tooling (a list) as its names, comma-separated."""
    if isinstance(value, list | tuple):
        return ", ".join(html.escape(str(item)) for item in value)
    return html.escape(str(value))
