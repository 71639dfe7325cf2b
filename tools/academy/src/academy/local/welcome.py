"""What `academy up` prints once the mesh is ready: URLs and tokens, then where to look."""

import json
import shlex
from itertools import groupby

from academy.local.mesh import DEMO_OPERATOR, Mesh
from academy.local.portal_people import demo_people
from academy_runtime.cli import DEFAULT_BASE_PORT

#: The processes with a shiftable clock (`PUT /_dev/clock`, local mode only).
CLOCKED = ("catalogue", "assessment", "release-bridge", "audit-export", "portal")
ONE_DAY_S = 86_400


def welcome(mesh: Mesh, took: dict[str, float], tokens: dict[str, str]) -> str:
    """Everything `academy up` prints when ready: the portal to open first, then the URLs and
    tokens, and where to look last."""
    return "\n".join(
        [*open_the_portal(mesh), *_running(mesh, took, tokens), "", *where_to_look(mesh)]
    )


def open_the_portal(mesh: Mesh) -> list[str]:
    """The reference portal's sign-in page, and who can sign in there."""
    if mesh.portal is not None:
        return []
    people = groupby(demo_people(), key=lambda person: person.operator_id)
    return [
        "",
        f"Open the portal: {mesh.url('portal')}/  (sign in as a demo person)",
        *(
            f"  {operator}: " + ", ".join(f"{p.name} ({p.role})" for p in members)
            for operator, members in people
        ),
    ]


def _running(mesh: Mesh, took: dict[str, float], tokens: dict[str, str]) -> list[str]:
    lines = ["", "Licensing Academy is running (all on 127.0.0.1):"]
    for name in mesh.children:
        if name == "sftp-archive":
            key = mesh.state_dir / "sftp" / "client_key"
            lines.append(f"  {name:15} sftp://archive@127.0.0.1:{mesh.ports.sftp}  (key: {key})")
            continue
        lines.append(f"  {name:15} {mesh.url(name)}  (ready in {took.get(name, 0)}s)")
    lines.append(f"  {'kafka':15} {mesh.kafka_bootstrap}")
    lines.append(f"  {'postgres':15} {mesh.database_url}")
    lines.append(f"\nDemo operator: {DEMO_OPERATOR}. API docs: {mesh.url('assessment')}/docs")
    base = mesh.ports.issuer
    env = f"ACADEMY_BASE_PORT={base} " if base != DEFAULT_BASE_PORT else ""
    lines.append(
        f"Mint a token: {env}uv run academy token --sub alice --operator-id {DEMO_OPERATOR} "
        "--role compliance_officer"
    )
    for role, token in tokens.items():
        lines.append(f"\n{role} token (12 h):\n{token}")
    return lines


def where_to_look(mesh: Mesh) -> list[str]:
    """The portal, the audit packs and the key to verify them with, and the clocks."""
    keys = mesh.audit_public_keys
    if mesh.portal is not None:
        portal = f"{mesh.portal.webhook_url}  (yours: the reference portal is not running)"
    else:
        portal = (
            f"{mesh.url('portal')}/  sign in as a demo person; every operator's unlocked "
            f"tooling: {mesh.url('portal')}/unlocks.html"
        )
    shift = json.dumps({"offset_seconds": ONE_DAY_S})
    ports = " ".join(str(mesh.children[name].port) for name in CLOCKED if name in mesh.children)
    return [
        "Where to look:",
        f"  {'portal':12} {portal}",
        f"  {'audit packs':12} {mesh.archive_dir(DEMO_OPERATOR)}/",
        f"  {'':12} a signed zip per UTC day, after the day ends (export checks every 30 s)",
        f"  {'public key':12} {keys}",
        f"  {'':12} uv run academy audit verify PACK --public-key {keys}",
        f"  {'clocks':12} each service has its own; set them all N seconds ahead (0 = real time):",
        f"  {'':12} for port in {ports}; do curl -s -X PUT http://127.0.0.1:$port/_dev/clock \\",
        f"  {'':12}   -H 'content-type: application/json' -d {shlex.quote(shift)}; done",
        f"\nLogs: {mesh.state_dir}/logs/. Press Ctrl-C to stop everything.",
    ]
