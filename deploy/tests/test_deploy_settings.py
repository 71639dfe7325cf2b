"""Every setting a service reads reaches it in production, and nothing else does.

The variable list comes from the settings classes at test time, so a setting added to the code
fails here until deploy/k8s, deploy/compose.yaml and the READMEs name it. SecretStr fields are
secrets (a secretKeyRef); every other field is configuration (the service's ConfigMap).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import SecretBytes, SecretStr

from academy.envdoc import settings_classes
from academy.services import SERVICES, ServiceSpec

DEPLOY_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = DEPLOY_DIR.parent
Document = dict[str, Any]
KeyReferences = Callable[[Iterable[str]], tuple[set[str], set[str]]]


@dataclass(frozen=True)
class Variable:
    name: str
    secret: bool
    may_be_unset: bool  # the field defaults to None: leaving it unset is meaningful

    @property
    def kind(self) -> str:
        return "secret" if self.secret else "config"


def _is_secret(annotation: Any) -> bool:
    if annotation in (SecretStr, SecretBytes):
        return True
    return any(_is_secret(arg) for arg in get_args(annotation))


def variables(spec: ServiceSpec) -> list[Variable]:
    return [
        Variable(
            name=f"{spec.env_prefix}{field_name.upper()}",
            secret=_is_secret(field.annotation),
            may_be_unset=field.default is None and not field.is_required(),
        )
        for field_name, field in spec.settings.model_fields.items()
    ]


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def _container(k8s_objects: dict[tuple[str, str], Document], kind: str, name: str) -> Document:
    obj = k8s_objects[(kind, name)]
    (container,) = obj["spec"]["template"]["spec"]["containers"]
    result: Document = container
    return result


def _env_refs(container: Document) -> dict[str, Document]:
    """name -> valueFrom of the container's env entries (plain values map to {})."""
    return {entry["name"]: entry.get("valueFrom", {}) for entry in container.get("env", [])}


by_service = pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])


def test_deploy_describes_exactly_the_services_of_the_mesh() -> None:
    code = {cls.__name__ for cls in settings_classes()} - {"PortalSettings"}
    assert code == {spec.settings.__name__ for spec in SERVICES}, (
        "academy.envdoc and academy.services disagree about the services"
    )
    k8s_dirs = {p.name for p in (DEPLOY_DIR / "k8s").iterdir() if p.is_dir()}
    k8s_dirs -= {"monitoring", "kafka-topics"}
    assert k8s_dirs == {spec.name for spec in SERVICES}, "deploy/k8s/<service>/ per service"


@by_service
def test_every_setting_reaches_the_service_from_its_configmap_or_secret(
    spec: ServiceSpec, k8s_objects: dict[tuple[str, str], Document]
) -> None:
    configmap_name, secret_name = f"{spec.name}-config", f"{spec.name}-secrets"
    data = k8s_objects[("ConfigMap", configmap_name)].get("data") or {}
    refs = _env_refs(_container(k8s_objects, "Deployment", spec.name))
    configmap_file = _rel(DEPLOY_DIR / "k8s" / spec.name / "configmap.yaml")
    deployment_file = _rel(DEPLOY_DIR / "k8s" / spec.name / "deployment.yaml")
    missing = []
    for var in variables(spec):
        ref = refs.get(var.name, {})
        if var.secret:
            wanted = {"name": secret_name, "key": var.name}
            if {k: ref.get("secretKeyRef", {}).get(k) for k in wanted} != wanted:
                missing.append(
                    f"{var.name} (secret) needs an env entry with secretKeyRef "
                    f"{{name: {secret_name}, key: {var.name}}} in {deployment_file}"
                )
        elif var.name not in data:
            cm_ref = ref.get("configMapKeyRef", {})
            optional_ref = {"name": configmap_name, "key": var.name, "optional": True}
            if not var.may_be_unset or cm_ref != optional_ref:
                where = f"data of {configmap_file}"
                if var.may_be_unset:
                    where += (
                        f" (or, to leave it unset, an optional configMapKeyRef in "
                        f"{deployment_file})"
                    )
                missing.append(f"{var.name} (config) is missing from {where}")
    assert not missing, f"{spec.name} settings not deployed:\n" + "\n".join(missing)


def mounted_config(k8s_objects: dict[tuple[str, str], Document], name: str) -> list[str]:
    """The values of every ConfigMap the Deployment `name` reads (env and mounted files)."""
    pod = k8s_objects[("Deployment", name)]["spec"]["template"]["spec"]
    names = {f"{name}-config"} | {
        v["configMap"]["name"] for v in pod.get("volumes", []) if "configMap" in v
    }
    return [str(value) for n in names for value in k8s_objects[("ConfigMap", n)]["data"].values()]


@by_service
def test_manifests_name_only_settings_the_service_reads(
    spec: ServiceSpec, k8s_objects: dict[tuple[str, str], Document], key_references: KeyReferences
) -> None:
    referenced, _ = key_references(mounted_config(k8s_objects, spec.name))
    known = {var.name for var in variables(spec)} | referenced
    data = k8s_objects[("ConfigMap", f"{spec.name}-config")].get("data") or {}
    env = _env_refs(_container(k8s_objects, "Deployment", spec.name))
    unknown = sorted((set(data) | set(env)) - known)
    assert not unknown, f"{spec.name}: no setting reads {unknown} (typo or removed setting?)"


@by_service
def test_secrets_stay_out_of_configmaps_and_config_out_of_secrets(
    spec: ServiceSpec, k8s_objects: dict[tuple[str, str], Document]
) -> None:
    data = k8s_objects[("ConfigMap", f"{spec.name}-config")].get("data") or {}
    refs = _env_refs(_container(k8s_objects, "Deployment", spec.name))
    wrong = []
    for var in variables(spec):
        ref = refs.get(var.name, {})
        if var.secret and (var.name in data or "secretKeyRef" not in ref):
            wrong.append(f"{var.name} is a secret: only a secretKeyRef may carry it")
        if not var.secret and ("secretKeyRef" in ref or "value" in ref):
            wrong.append(f"{var.name} is configuration: it belongs in the ConfigMap")
        optional = any(r.get("optional") for r in ref.values() if isinstance(r, dict))
        if optional and not var.may_be_unset:
            wrong.append(f"{var.name} has a default; an optional reference would hide a gap")
    assert not wrong, f"{spec.name}:\n" + "\n".join(wrong)


@by_service
def test_migration_job_gets_only_the_migration_roles_database_url(
    spec: ServiceSpec, k8s_objects: dict[tuple[str, str], Document]
) -> None:
    service = _container(k8s_objects, "Deployment", spec.name)
    job = _container(k8s_objects, "Job", f"{spec.name}-migrate")
    # `migrate` reads its environment and database URL only (academy_runtime.settings
    # .migration_settings): the Job gets the migration role's URL and no runtime secret.
    assert (
        job["envFrom"] == service["envFrom"] == [{"configMapRef": {"name": f"{spec.name}-config"}}]
    )
    url = f"{spec.env_prefix}DATABASE_URL"
    migration_secret = {"name": f"{spec.name}-migration-secrets", "key": url}
    assert job.get("env") == [{"name": url, "valueFrom": {"secretKeyRef": migration_secret}}]
    assert _env_refs(service)[url] == {"secretKeyRef": {"name": f"{spec.name}-secrets", "key": url}}
    assert job["image"] == service["image"]


@by_service
def test_compose_sets_only_settings_the_service_reads_and_every_secret(
    spec: ServiceSpec, compose: Document, key_references: KeyReferences
) -> None:
    known = {var.name: var for var in variables(spec)}
    migration_reads = {f"{spec.env_prefix}ENVIRONMENT", f"{spec.env_prefix}DATABASE_URL"}
    for name in (spec.name, f"{spec.name}-migrate"):
        env: dict[str, Any] = compose["services"][name]["environment"]
        if name.endswith("-migrate"):
            known = {n: var for n, var in known.items() if n in migration_reads}
        referenced, paths = key_references(str(v) for v in env.values())
        assert not paths, f"deploy/compose.yaml {name}: keys come from variables, not {paths}"
        for ref in sorted(referenced):
            assert "${" in str(env.get(ref)), (
                f"deploy/compose.yaml {name}: {ref} (named by a setting) must come from "
                f"deploy/.env (${{...}})"
            )
        unknown = sorted(set(env) - set(known) - referenced)
        assert not unknown, f"deploy/compose.yaml {name}: no setting reads {unknown}"
        for var in known.values():
            if not var.secret or (var.may_be_unset and var.name not in env):
                continue
            assert var.name in env, f"deploy/compose.yaml {name}: secret {var.name} is not set"
            assert "${" in str(env[var.name]), (
                f"deploy/compose.yaml {name}: {var.name} must come from deploy/.env "
                f"(${{...}}), never a literal"
            )


@by_service
def test_readmes_document_every_setting_and_secret(spec: ServiceSpec) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    deploy_readme = (DEPLOY_DIR / "README.md").read_text()
    problems = []
    undocumented = [v.name for v in variables(spec) if f"`{v.name}`" not in readme]
    if undocumented:
        problems.append(
            f"README.md misses {undocumented}; regenerate its table: "
            "uv run python -m academy.envdoc"
        )
    secrets = [v.name for v in variables(spec) if v.secret]
    unlisted = [name for name in secrets if f"`{name}`" not in deploy_readme]
    if unlisted:
        problems.append(
            f"deploy/README.md Secrets table misses {unlisted} of Secret {spec.name}-secrets"
        )
    assert not problems, "\n".join(problems)
