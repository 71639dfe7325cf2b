"""docs/runbooks: every alert links its runbook, is routed by Alertmanager, and every `academy`
command a runbook tells the on-call to run exists in the CLI, options included."""

import importlib
import importlib.util
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer
import yaml
from typer.core import TyperGroup

from academy.cli import SERVICE_APPS
from academy.cli import app as academy_cli

DEPLOY_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = DEPLOY_DIR.parent
RUNBOOKS_DIR = REPO_ROOT / "docs" / "runbooks"
RULE_FILES = sorted((DEPLOY_DIR / "prometheus").glob("*.rules.yml"))
ALERTMANAGER = DEPLOY_DIR / "compose" / "alertmanager.yml"
#: What an SRE new to the project needs from each runbook, as `## ` headings, in this order.
SECTIONS = ("What it means", "Impact", "Confirm", "Act", "Escalate", "Verify the fix")


def _load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DEPLOY_DIR / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RULES_TOOL = _load_tool("prometheusrules")
RUNBOOK_BASE_URL: str = RULES_TOOL.RUNBOOK_BASE_URL


@dataclass(frozen=True)
class Alert:
    name: str
    rule_file: str
    labels: dict[str, str]
    annotations: dict[str, str]


def _alerts() -> list[Alert]:
    found = []
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            found += [
                Alert(r["alert"], path.name, r.get("labels", {}), r.get("annotations", {}))
                for r in group["rules"]
                if "alert" in r
            ]
    return found


ALERTS = _alerts()
RUNBOOKS = sorted(RUNBOOKS_DIR.glob("*.md"))
by_alert = pytest.mark.parametrize("alert", ALERTS, ids=[a.name for a in ALERTS])
by_runbook = pytest.mark.parametrize("runbook", RUNBOOKS, ids=[p.name for p in RUNBOOKS])


def test_the_runbook_base_url_is_an_absolute_link_to_docs_runbooks() -> None:
    assert re.fullmatch(r"https://[^\s]+/docs/runbooks/", RUNBOOK_BASE_URL), RUNBOOK_BASE_URL


@by_alert
def test_every_alert_links_its_own_runbook(alert: Alert) -> None:
    url = alert.annotations.get("runbook_url")
    assert url, f"{alert.rule_file}: {alert.name} has no runbook_url"
    assert url == RULES_TOOL.runbook_url(alert.name), f"{alert.rule_file}: {alert.name}: {url}"
    runbook = RUNBOOKS_DIR / f"{alert.name}.md"
    assert runbook.is_file(), f"{alert.name}: write docs/runbooks/{runbook.name}"
    assert runbook.read_text().startswith(f"# {alert.name}\n"), f"{runbook.name}: title"


@by_runbook
def test_every_runbook_has_the_sections_on_call_needs(runbook: Path) -> None:
    if runbook.name == "README.md":
        return
    headings = tuple(re.findall(r"^## (.+?)\s*$", runbook.read_text(), flags=re.M))
    assert tuple(h for h in headings if h in SECTIONS) == SECTIONS, f"{runbook.name}: {headings}"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@by_runbook
def test_every_link_in_a_runbook_resolves(runbook: Path) -> None:
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", runbook.read_text()):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        file = (runbook.parent / path).resolve() if path else runbook
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", file.read_text(), flags=re.M)
            if anchor not in {_anchor(h) for h in headings}:
                broken.append(target)
    assert not broken, f"{runbook.name}: links to nothing: {broken}"


def test_every_runbook_belongs_to_an_alert() -> None:
    names = {a.name for a in ALERTS} | {"README"}
    orphans = [p.name for p in RUNBOOKS if p.stem not in names]
    assert not orphans, f"docs/runbooks: no alert is called {orphans}"


def routed_severities(config: dict[str, Any]) -> set[str]:
    """Severities that a route of the Alertmanager config matches by name."""
    found: set[str] = set()
    routes = list(config["route"].get("routes", []))
    while routes:
        route = routes.pop()
        routes += route.get("routes", [])
        for matcher in route.get("matchers", []):
            found |= set(re.findall(r'^\s*severity\s*=\s*"?([\w-]+)"?\s*$', matcher))
        found |= {str(route.get("match", {}).get("severity", ""))} - {""}
    return found


@by_alert
def test_every_alert_has_a_severity_alertmanager_routes(alert: Alert) -> None:
    routed = routed_severities(yaml.safe_load(ALERTMANAGER.read_text()))
    assert {"page", "warning"} <= routed, f"{ALERTMANAGER.name} routes only {routed}"
    severity = alert.labels.get("severity")
    assert severity in routed, f"{alert.rule_file}: {alert.name} has severity {severity!r}"


# -- the `academy` commands a runbook names ------------------------------------------------

_INVOCATION = re.compile(r"(?<![\w./$-])academy\s")


def _code(markdown: str) -> Iterator[str]:
    """Each line of every fenced block (continuation lines joined), then every inline span."""
    outside = []
    for i, part in enumerate(re.split(r"^[ \t]*```[^\n]*\n", markdown, flags=re.M)):
        if i % 2:
            yield from part.replace("\\\n", " ").splitlines()
        else:
            outside.append(part)
    for text in outside:
        yield from re.findall(r"`([^`\n]+)`", text)


def _words(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote in prose: split on spaces
        return line.split()


def invocations(markdown: str) -> Iterator[list[str]]:
    """The words after `academy` of every command line in `markdown`'s code."""
    pending = [line for line in _code(markdown) if _INVOCATION.search(line)]
    while pending:
        words = _words(pending.pop())
        for i, word in enumerate(words):
            if word == "academy":
                rest = words[i + 1 :]
                ends = [j for j, w in enumerate(rest) if set(w) <= set("();<>|&")]
                yield rest[: ends[0]] if ends else rest
            elif " " in word and _INVOCATION.search(word):
                pending.append(word)  # sh -c '… academy …'


def _subcommand(group: Any, name: str, path: list[str]) -> Any:
    if path == ["academy"] and name in SERVICE_APPS:  # mounted lazily: academy.cli._mount
        return typer.main.get_group(importlib.import_module(SERVICE_APPS[name][0]).app)
    return group.commands.get(name)


def command_problem(words: list[str]) -> str | None:
    """Why `academy <words>` is not a command line the CLI accepts, or None."""
    command: Any = typer.main.get_command(academy_cli)
    path = ["academy"]
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--help":
            return None
        if re.match(r"--?[A-Za-z]", word):
            name = word.split("=", 1)[0]
            options = [p for p in command.params if name in (*p.opts, *p.secondary_opts)]
            if not options:
                return f"`{' '.join(path)}` has no option {name}"
            takes_value = not (options[0].is_flag or options[0].count)
            i += 2 if takes_value and "=" not in word else 1
            continue
        if isinstance(command, TyperGroup):
            sub = _subcommand(command, word, path)
            if sub is None:
                return f"`{' '.join(path)}` has no command {word!r}"
            command, path = sub, [*path, word]
        i += 1
    return None


def runbook_problems(markdown: str) -> list[str]:
    found = []
    for words in invocations(markdown):
        problem = command_problem(words)
        if problem:
            found.append(f"academy {' '.join(words)}: {problem}")
    return found


@by_runbook
def test_every_academy_command_in_a_runbook_exists(runbook: Path) -> None:
    problems = runbook_problems(runbook.read_text())
    assert not problems, f"{runbook.name}:\n" + "\n".join(problems)


def test_the_runbooks_use_the_cli() -> None:
    named = [words for p in RUNBOOKS for words in invocations(p.read_text())]
    assert len(named) > 40, "the command check looks at nothing: is the extraction broken?"


@pytest.mark.parametrize(
    ("markdown", "problem"),
    [
        ("```bash\nuv run academy dlq frobnicate --topic x\n```", "has no command 'frobnicate'"),
        ("Run `academy dlq frobnicate`.", "has no command 'frobnicate'"),
        ("```\nkubectl exec deploy/a -- sh -c 'academy dlq frobnicate'\n```", "frobnicate"),
        ("```\nacademy release breaker reset \\\n  --force --reason x\n```", "no option --force"),
        ("`academy --base-port 8300 audit run-export`", "has no command 'run-export'"),
        ("1. Replay:\n\n   ```bash\n   academy dlq frobnicate\n   ```\n", "frobnicate"),
        ("`academy dlq replay --topic t --reason r --frobnicate`", "no option --frobnicate"),
    ],
)
def test_the_command_check_refuses_what_the_cli_does_not_have(markdown: str, problem: str) -> None:
    problems = runbook_problems(markdown)
    assert len(problems) == 1, problems
    assert problem in problems[0]


def test_the_command_check_accepts_what_the_cli_has() -> None:
    markdown = (
        "```bash\nexport ACADEMY_TOKEN=$(uv run academy token --role academy_support)\n"
        "academy dlq replay --topic t --reason r --execute | tee out  # comment\n```\n"
        "Then `academy --base-port 8300 release breaker status --json`, or `academy dlq`."
    )
    assert len(list(invocations(markdown))) == 4
    assert runbook_problems(markdown) == []


def test_the_check_agrees_with_the_cli_itself() -> None:
    """The walk above mirrors `academy.cli._mount`; the real CLI must answer the same."""

    def help_exit(*words: str) -> int:
        run = [sys.executable, "-m", "academy", *words, "--help"]
        return subprocess.run(run, capture_output=True, check=False, timeout=60).returncode

    assert help_exit("dlq", "replay") == 0
    assert command_problem(["dlq", "replay"]) is None
    assert help_exit("dlq", "frobnicate") != 0
    assert command_problem(["dlq", "frobnicate"]) is not None
