"""Fixtures for the deployment checks: parsed manifests, and the tools they need."""

import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from academy.services import SERVICES, ServiceSpec
from contracts import topics

DEPLOY_DIR = Path(__file__).resolve().parents[1]
K8S_DIR = DEPLOY_DIR / "k8s"
KUSTOMIZATION = "kustomization.yaml"

Document = dict[str, Any]
KeyReferences = Callable[[Iterable[str]], tuple[set[str], set[str]]]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def load_documents(path: Path) -> list[Document]:
    """Every non-empty YAML document of `path`; a parse error names the file."""
    try:
        documents = list(yaml.safe_load_all(path.read_text()))
    except yaml.YAMLError as exc:
        pytest.fail(f"{path.relative_to(DEPLOY_DIR.parent)} does not parse: {exc}")
    return [doc for doc in documents if doc is not None]


@pytest.fixture(scope="session")
def services() -> tuple[ServiceSpec, ...]:
    return SERVICES


@pytest.fixture(scope="session")
def k8s_documents() -> list[tuple[Path, Document]]:
    """(file, document) for every manifest under deploy/k8s, kustomizations excluded."""
    found = []
    for path in sorted(K8S_DIR.rglob("*.yaml")):
        if path.name == KUSTOMIZATION:
            continue
        found += [(path, doc) for doc in load_documents(path)]
    return found


@pytest.fixture(scope="session")
def k8s_objects(k8s_documents: list[tuple[Path, Document]]) -> dict[tuple[str, str], Document]:
    """Kubernetes objects by (kind, name)."""
    return {(doc["kind"], doc["metadata"]["name"]): doc for _, doc in k8s_documents}


@pytest.fixture(scope="session")
def compose() -> Document:
    (document,) = load_documents(DEPLOY_DIR / "compose.yaml")
    return document


def declared_topic_lines() -> list[str]:
    """contracts.topics.DECLARED as kafka-init and Job kafka-topics list it:
    `<name> <partitions> <replication factor> <config=value,…>`."""
    return [
        f"{spec.name} {spec.partitions} {spec.replication_factor} "
        + ",".join(f"{key}={value}" for key, value in spec.configs().items())
        for spec in topics.DECLARED
    ]


@pytest.fixture(scope="session")
def topic_lines() -> list[str]:
    return declared_topic_lines()


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool's path; missing, it skips locally and fails under CI=true."""
    path = shutil.which("promtool")
    if path is None:
        message = "promtool not found: install Debian `prometheus` (`make system-deps` does)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def kubernetes_validate() -> ModuleType:
    """The offline Kubernetes schema validator (PyPI kubernetes-validate, bundled schemas)."""
    module: ModuleType = pytest.importorskip(
        "kubernetes_validate",
        reason="kubernetes-validate is not installed: add `kubernetes-validate>=1.37` to the "
        "root pyproject's dev group to validate deploy/k8s against Kubernetes schemas",
    )
    return module


def _walk_references(node: Any, env: set[str], paths: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (key == "secret_env" or key.endswith("_env")):
                env.add(value)
            elif isinstance(value, str) and (key == "path" or key.endswith("_path")):
                paths.add(value)
            else:
                _walk_references(value, env, paths)
    elif isinstance(node, list):
        for item in node:
            _walk_references(item, env, paths)


def find_key_references(values: Iterable[str]) -> tuple[set[str], set[str]]:
    """(variable names, file paths) that JSON-valued settings point secrets at.

    Some settings hold JSON that names where a secret lives instead of the secret itself
    (audit-export's signing keyring: `path` | `secret_env`; its SFTP targets:
    `private_key_path` | `private_key_env`, `passphrase_env`).
    """
    env: set[str] = set()
    paths: set[str] = set()
    for value in values:
        try:
            document = json.loads(value)
        except (TypeError, ValueError):
            continue
        _walk_references(document, env, paths)
    return env, paths


@pytest.fixture(scope="session")
def key_references() -> KeyReferences:
    return find_key_references
