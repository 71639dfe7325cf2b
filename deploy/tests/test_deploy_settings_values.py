"""Deployed configuration is usable: it builds production settings, and key references resolve.

Builds each service's settings class from its ConfigMap (Kubernetes) and from its compose
environment (with values from tools/compose_secrets.py), in production mode, so a value the
code would refuse at start fails here; and checks that every key a JSON setting points at
(`path`, `*_path`, `secret_env`, `*_env`) comes from a Secret of the pod.
"""

import base64
import importlib.util
import os
import re
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import pytest
import yaml
from pydantic import SecretBytes, SecretStr, ValidationError

from academy.services import SERVICES, ServiceSpec
from academy_runtime.settings import DatabaseSettings, migration_settings

DEPLOY_DIR = Path(__file__).resolve().parents[1]
Document = dict[str, Any]
Objects = dict[tuple[str, str], Document]
KeyReferences = Callable[[Iterable[str]], tuple[set[str], set[str]]]

by_service = pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])


def _pod(objects: Objects, kind: str, name: str) -> Document:
    pod: Document = objects[(kind, name)]["spec"]["template"]["spec"]
    return pod


def _mounts(pod: Document, source: str) -> dict[str, str]:
    """mountPath -> Secret or ConfigMap name, for the pod's `source` volumes."""
    key = {"secret": "secretName", "configMap": "name"}[source]
    volumes = {v["name"]: v[source][key] for v in pod.get("volumes", []) if source in v}
    (container,) = pod["containers"]
    return {
        m["mountPath"].rstrip("/"): volumes[m["name"]]
        for m in container.get("volumeMounts", [])
        if m["name"] in volumes
    }


def _config_values(objects: Objects, pod: Document, name: str) -> list[str]:
    maps = {f"{name}-config", *_mounts(pod, "configMap").values()}
    return [str(v) for m in maps for v in objects[("ConfigMap", m)]["data"].values()]


def _under(path: str, mounts: Iterable[str]) -> str | None:
    return next((m for m in mounts if path.startswith(m + "/")), None)


def _is_secret(annotation: Any) -> bool:
    if annotation in (SecretStr, SecretBytes):
        return True
    return any(_is_secret(arg) for arg in get_args(annotation))


def _build_settings(
    spec: ServiceSpec,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    settings_cls: type[DatabaseSettings] | None = None,
) -> Any:
    """`spec`'s settings (or `settings_cls`, e.g. its migration settings) from `env` alone."""
    for name in list(os.environ):
        if name.startswith(spec.env_prefix):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        return (settings_cls or spec.settings)()
    except ValidationError as exc:
        pytest.fail(f"{spec.name} refuses this configuration at start:\n{exc}")


@by_service
def test_key_references_resolve_to_secrets_of_the_pod(
    spec: ServiceSpec, k8s_objects: Objects, key_references: KeyReferences
) -> None:
    for kind, name in (("Deployment", spec.name),):  # the migration Job reads no such setting
        pod = _pod(k8s_objects, kind, name)
        env_names, paths = key_references(_config_values(k8s_objects, pod, spec.name))
        (container,) = pod["containers"]
        refs = {e["name"]: e.get("valueFrom", {}) for e in container.get("env", [])}
        secret_mounts = _mounts(pod, "secret")
        problems = [
            f"{env} (named by a setting) needs an env entry with a secretKeyRef"
            for env in sorted(env_names)
            if "secretKeyRef" not in refs.get(env, {})
        ]
        problems += [
            f"{path} (named by a setting) is not inside a Secret volume mount {secret_mounts}"
            for path in sorted(paths)
            if _under(path, secret_mounts) is None
        ]
        assert not problems, f"{kind} {name}:\n" + "\n".join(problems)


@by_service
def test_files_named_in_configmaps_are_mounted(spec: ServiceSpec, k8s_objects: Objects) -> None:
    pod = _pod(k8s_objects, "Deployment", spec.name)
    config_mounts = _mounts(pod, "configMap")
    data = k8s_objects[("ConfigMap", f"{spec.name}-config")]["data"]
    for variable, value in data.items():
        mount = _under(str(value), config_mounts)
        if mount is not None:
            key = str(value)[len(mount) + 1 :]
            assert key in k8s_objects[("ConfigMap", config_mounts[mount])]["data"], (
                f"{variable}={value}: ConfigMap {config_mounts[mount]} has no key {key}"
            )


@by_service
def test_migration_job_mounts_no_secret_or_configuration_file(
    spec: ServiceSpec, k8s_objects: Objects
) -> None:
    # `migrate` reads its environment and database URL only: no key or target file.
    job = _pod(k8s_objects, "Job", f"{spec.name}-migrate")
    assert _mounts(job, "secret") == {}
    assert _mounts(job, "configMap") == {}


@by_service
def test_configmap_builds_valid_production_settings(
    spec: ServiceSpec, k8s_objects: Objects, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pod = _pod(k8s_objects, "Deployment", spec.name)
    config_mounts = _mounts(pod, "configMap")
    env = {k: str(v) for k, v in k8s_objects[("ConfigMap", f"{spec.name}-config")]["data"].items()}
    for variable, value in env.items():
        mount = _under(value, config_mounts)
        if mount is not None:  # a file the pod gets from a ConfigMap volume
            key = value[len(mount) + 1 :]
            local = tmp_path / key
            local.write_text(k8s_objects[("ConfigMap", config_mounts[mount])]["data"][key])
            env[variable] = str(local)
    for field_name, field in spec.settings.model_fields.items():
        if _is_secret(field.annotation) and field.default is not None:
            secret = base64.b64encode(secrets.token_bytes(32)).decode()
            env[f"{spec.env_prefix}{field_name.upper()}"] = f"whsec_{secret}"
    settings = _build_settings(spec, env, monkeypatch)
    assert settings.environment == "production"


def _compose_secrets() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compose_secrets", DEPLOY_DIR / "tools" / "compose_secrets.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dotenv_value(raw: str) -> str:
    """A .env value as compose reads it (double quotes: escapes expanded)."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1].replace("\\n", "\n")
    return raw


def _interpolate(node: Any, values: dict[str, str]) -> Any:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$, applied to parsed values."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, default = match[1], match[2] or "", match[3] or ""
        if name in values and (values[name] or operator != ":-"):
            return values[name]
        assert operator != ":?", f"compose would refuse to start without {name}"
        return default

    if isinstance(node, dict):
        return {key: _interpolate(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolate(item, values) for item in node]
    if isinstance(node, str):
        text = re.sub(r"(?<!\$)\$\{([A-Z0-9_]+)(:[-?])?([^}]*)\}", substitute, node)
        return text.replace("$$", "$")
    return node


@by_service
def test_compose_environment_builds_valid_production_settings(
    spec: ServiceSpec, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tool = _compose_secrets()
    assert tool.main(["--deploy-dir", str(tmp_path)]) == 0
    values = {k: _dotenv_value(v) for k, v in tool.read_env(tmp_path / ".env").items()}
    compose = _interpolate(yaml.safe_load((DEPLOY_DIR / "compose.yaml").read_text()), values)
    env = {k: str(v) for k, v in compose["services"][spec.name]["environment"].items()}
    settings = _build_settings(spec, env, monkeypatch)
    assert settings.environment == "production"
    migrate = compose["services"][f"{spec.name}-migrate"]["environment"]
    migrating = migration_settings(spec.settings)
    env = {k: str(v) for k, v in migrate.items()}
    assert _build_settings(spec, env, monkeypatch, migrating).environment == "production"


def test_deploy_readme_lists_every_secret_the_pods_mount(k8s_objects: Objects) -> None:
    readme = (DEPLOY_DIR / "README.md").read_text()
    pods = [
        obj["spec"]["template"]["spec"]
        for (kind, _), obj in k8s_objects.items()
        if kind in {"Deployment", "Job"}
    ]
    mounted = {
        volume["secret"]["secretName"]
        for pod in pods
        for volume in pod.get("volumes", [])
        if "secret" in volume
    } | {
        env["valueFrom"]["secretKeyRef"]["name"]
        for pod in pods
        for container in pod["containers"]
        for env in container.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    }
    unlisted = sorted(name for name in mounted if f"`{name}`" not in readme)
    assert not unlisted, f"deploy/README.md Secrets section misses {unlisted}"
