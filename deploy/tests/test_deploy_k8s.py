"""deploy/k8s: schema-valid objects, wired to each other and to what the services need."""

import importlib
import inspect
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest.mock import ANY

import pytest
import yaml
from prometheus_client import CollectorRegistry

from academy.services import SERVICES, ServiceSpec
from academy_runtime import app as runtime_app
from academy_runtime.build import build_info
from academy_runtime.kafka import make_broker
from academy_runtime.metrics import RuntimeMetrics
from academy_runtime.service import ServiceRuntime
from contracts import topics

DEPLOY_DIR = Path(__file__).resolve().parents[1]
K8S_DIR = DEPLOY_DIR / "k8s"
NAMESPACE = "licensing-academy"
#: Oldest Kubernetes the manifests support; they are also validated against the newest schema.
OLDEST_KUBERNETES = "1.29"
#: Custom resources we validate field by field (no schema for them ships with the validator).
OPERATOR_KINDS = {"PrometheusRule", "ServiceMonitor"}
CLUSTER_SCOPED = {"Namespace"}
Document = dict[str, Any]
Objects = dict[tuple[str, str], Document]

by_service = pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])


def _pod(obj: Document) -> Document:
    spec: Document = obj["spec"]["template"]["spec"]
    return spec


def _container(obj: Document) -> Document:
    (container,) = _pod(obj)["containers"]
    result: Document = container
    return result


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def _config(objects: Objects, spec: ServiceSpec) -> dict[str, str]:
    data: dict[str, str] = objects[("ConfigMap", f"{spec.name}-config")]["data"]
    return data


# --- parse and validate ---------------------------------------------------------------------


def test_every_manifest_is_a_named_object_in_the_academy_namespace(
    k8s_documents: list[tuple[Path, Document]],
) -> None:
    seen: dict[tuple[str, str], Path] = {}
    for path, doc in k8s_documents:
        where = path.relative_to(DEPLOY_DIR)
        assert {"apiVersion", "kind", "metadata"} <= set(doc), f"{where}: not a k8s object"
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in seen, f"{where}: {key} is also defined in {seen[key]}"
        seen[key] = where
        if doc["kind"] not in CLUSTER_SCOPED:
            assert doc["metadata"].get("namespace") == NAMESPACE, f"{where}: namespace"
        labels = doc["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == NAMESPACE, f"{where}: part-of label"


def test_core_objects_pass_the_kubernetes_schema(
    k8s_documents: list[tuple[Path, Document]], kubernetes_validate: ModuleType
) -> None:
    versions = (OLDEST_KUBERNETES, kubernetes_validate.utils.latest_version())
    failures = []
    for path, doc in k8s_documents:
        if doc["kind"] in OPERATOR_KINDS:
            continue
        for version in versions:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                at = ".".join(str(p) for p in exc.path)
                failures.append(
                    f"{path.relative_to(DEPLOY_DIR)} (k8s {version}) {at}: {exc.message}"
                )
            except kubernetes_validate.SchemaNotFoundError as exc:
                failures.append(f"{path.relative_to(DEPLOY_DIR)}: {exc.message}")
    assert not failures, "\n".join(failures)


_RULE_GROUP_FIELDS = {"name", "interval", "rules", "limit", "query_offset", "labels"}
_RULE_FIELDS = {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}
_DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")


def _prometheus_rule_problems(doc: Document) -> list[str]:
    problems = []
    if set(doc["spec"]) != {"groups"}:
        problems.append(f"spec has {sorted(doc['spec'])}, expected only groups")
    for group in doc["spec"].get("groups", []):
        problems += [f"group field {f!r}" for f in set(group) - _RULE_GROUP_FIELDS]
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record")
            problems += [f"{name}: unknown field {f!r}" for f in set(rule) - _RULE_FIELDS]
            if ("alert" in rule) == ("record" in rule):
                problems.append(f"{name}: needs exactly one of alert/record")
            if not isinstance(rule.get("expr"), str | int):
                problems.append(f"{name}: expr must be a string")
            if "for" in rule and not _DURATION.match(str(rule["for"])):
                problems.append(f"{name}: `for` is not a duration")
            for field in ("labels", "annotations"):
                values = rule.get(field, {})
                if not all(isinstance(v, str) for v in values.values()):
                    problems.append(f"{name}: {field} values must be strings")
    return problems


def test_prometheus_operator_objects_use_the_fields_we_rely_on(
    k8s_documents: list[tuple[Path, Document]], k8s_objects: Objects
) -> None:
    problems = []
    services = [doc for (kind, _), doc in k8s_objects.items() if kind == "Service"]
    for path, doc in k8s_documents:
        where = path.relative_to(DEPLOY_DIR)
        if doc["kind"] == "PrometheusRule":
            assert doc["apiVersion"] == "monitoring.coreos.com/v1"
            problems += [f"{where}: {p}" for p in _prometheus_rule_problems(doc)]
        elif doc["kind"] == "ServiceMonitor":
            assert doc["apiVersion"] == "monitoring.coreos.com/v1"
            spec = doc["spec"]
            selected = [
                s
                for s in services
                if _selects(spec["selector"]["matchLabels"], s["metadata"]["labels"])
            ]
            names = sorted(s["metadata"]["name"] for s in selected)
            if names != sorted(s.name for s in SERVICES):
                problems.append(f"{where}: selects Services {names}, expected every service")
            for svc in selected:
                ports = {p["name"] for p in svc["spec"]["ports"]}
                for endpoint in spec["endpoints"]:
                    if endpoint["port"] not in ports or endpoint.get("path") != "/metrics":
                        problems.append(f"{where}: endpoint {endpoint} does not fit {names}")
                job = svc["metadata"]["labels"].get(spec.get("jobLabel", ""))
                if job != svc["metadata"]["name"]:
                    problems.append(
                        f"{where}: jobLabel gives job={job!r} for {svc['metadata']['name']}"
                    )
    assert not problems, "\n".join(problems)


def _kustomized_files(directory: Path) -> set[Path]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    files: set[Path] = set()
    for resource in kustomization.get("resources", []):
        target = (directory / resource).resolve()
        assert target.exists(), f"{directory / 'kustomization.yaml'} lists missing {resource}"
        files |= _kustomized_files(target) if target.is_dir() else {target}
    return files


def test_kustomization_includes_every_manifest() -> None:
    listed = _kustomized_files(K8S_DIR)
    on_disk = {p.resolve() for p in K8S_DIR.rglob("*.yaml") if p.name != "kustomization.yaml"}
    unlisted = sorted(str(p.relative_to(K8S_DIR)) for p in on_disk - listed)
    assert not unlisted, f"not reachable from deploy/k8s/kustomization.yaml: {unlisted}"


def test_kustomize_builds_every_object(k8s_documents: list[tuple[Path, Document]]) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not installed (optional: `kubectl kustomize` check)")
    built = subprocess.run(
        [kubectl, "kustomize", str(K8S_DIR)], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    objects = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(built.stdout) if d}
    assert objects == {(d["kind"], d["metadata"]["name"]) for _, d in k8s_documents}


# --- workloads ------------------------------------------------------------------------------


def drain_budget_s() -> float:
    """Worst-case SIGTERM-to-exit: uvicorn graceful shutdown, background drain, broker drain."""
    source = inspect.getsource(runtime_app.serve)
    match = re.search(r"timeout_graceful_shutdown=(\d+(?:\.\d+)?)", source)
    assert match, "academy_runtime.app.serve no longer sets timeout_graceful_shutdown: update me"
    drain: float = inspect.signature(ServiceRuntime.stop).parameters["drain_s"].default
    broker = make_broker(SERVICES[0].settings(environment="test"), registry=CollectorRegistry())
    graceful = broker.config.graceful_timeout
    assert graceful is not None, "the broker no longer drains consumers on stop: update me"
    return float(match.group(1)) + drain + graceful


@by_service
def test_termination_grace_outlasts_the_drain(spec: ServiceSpec, k8s_objects: Objects) -> None:
    pod = _pod(k8s_objects[("Deployment", spec.name)])
    pre_stop = _container(k8s_objects[("Deployment", spec.name)])["lifecycle"]["preStop"]
    sleep_s = float(pre_stop["exec"]["command"][-1]) if "exec" in pre_stop else 0.0
    budget = drain_budget_s() + sleep_s
    assert pod["terminationGracePeriodSeconds"] > budget, (
        f"{spec.name}: terminationGracePeriodSeconds must exceed preStop + drain = {budget}s"
    )


@by_service
def test_probes_use_readyz_and_healthz_on_the_service_port(
    spec: ServiceSpec, k8s_objects: Objects
) -> None:
    container = _container(k8s_objects[("Deployment", spec.name)])
    (port,) = container["ports"]
    assert port == {"name": "http", "containerPort": spec.default_port, "protocol": "TCP"}
    assert _config(k8s_objects, spec)[f"{spec.env_prefix}HTTP_PORT"] == str(spec.default_port)
    assert _config(k8s_objects, spec)[f"{spec.env_prefix}HTTP_HOST"] == "0.0.0.0"
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    # /readyz pings Postgres and the broker (reported, not required) with 3 s timeouts each.
    assert container["readinessProbe"]["timeoutSeconds"] > 6


@by_service
def test_containers_have_requests_limits_and_a_locked_down_context(
    spec: ServiceSpec, k8s_objects: Objects
) -> None:
    for kind, name, args in (
        ("Deployment", spec.name, ["serve"]),
        ("Job", f"{spec.name}-migrate", ["migrate"]),
    ):
        obj = k8s_objects[(kind, name)]
        pod, container = _pod(obj), _container(obj)
        assert container["args"] == args, f"{name}: `academy {spec.cli} {args[0]}`"
        assert container["image"].startswith(f"licensing-academy/{spec.name}:")
        for section in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][section]), f"{name} {section}"
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001  # USER in the Dockerfiles
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"])
        # Service links would inject <SERVICE>_PORT=tcp://... into a settings prefix.
        assert pod["enableServiceLinks"] is False
        assert pod["automountServiceAccountToken"] is False


@by_service
def test_migration_job_runs_once_and_stays_out_of_the_service(
    spec: ServiceSpec, k8s_objects: Objects
) -> None:
    job = k8s_objects[("Job", f"{spec.name}-migrate")]
    service = k8s_objects[("Service", spec.name)]
    assert _pod(job)["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 1
    labels = job["spec"]["template"]["metadata"]["labels"]
    assert not _selects(service["spec"]["selector"], labels), "the Service must not select Jobs"


@by_service
def test_service_hpa_and_pdb_target_the_deployment(spec: ServiceSpec, k8s_objects: Objects) -> None:
    deployment = k8s_objects[("Deployment", spec.name)]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert _selects(deployment["spec"]["selector"]["matchLabels"], pod_labels)
    assert "replicas" not in deployment["spec"], "the HPA owns replicas; apply would reset them"
    service = k8s_objects[("Service", spec.name)]
    assert _selects(service["spec"]["selector"], pod_labels)
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]
    hpa = k8s_objects[("HorizontalPodAutoscaler", spec.name)]["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": spec.name,
    }
    assert hpa["minReplicas"] >= 2, "one replica cannot survive a drain"
    pdb = k8s_objects[("PodDisruptionBudget", spec.name)]["spec"]
    assert _selects(pdb["selector"]["matchLabels"], pod_labels)
    assert pdb.get("maxUnavailable", 0) >= 1 or pdb["minAvailable"] < hpa["minReplicas"]


@by_service
def test_services_check_topics_laid_out_as_declared(
    spec: ServiceSpec, k8s_objects: Objects
) -> None:
    config, prefix = _config(k8s_objects, spec), spec.env_prefix
    assert config[f"{prefix}KAFKA_CREATE_TOPICS"] == "false", "Job kafka-topics creates them"
    assert config[f"{prefix}KAFKA_TOPIC_PARTITIONS"] == str(topics.PARTITIONS)
    assert config[f"{prefix}KAFKA_REPLICATION_FACTOR"] == str(topics.REPLICATION_FACTOR)


def test_kafka_topics_job_creates_exactly_the_declared_topics(
    k8s_objects: Objects, topic_lines: list[str]
) -> None:
    data = k8s_objects[("ConfigMap", "kafka-topics")]["data"]
    assert data["ACADEMY_TOPICS"].splitlines() == topic_lines, (
        "k8s/kafka-topics/configmap.yaml ACADEMY_TOPICS must be contracts.topics.DECLARED:\n"
        + "\n".join(topic_lines)
    )
    assert (
        data["KAFKA_BOOTSTRAP_SERVERS"]
        == _config(k8s_objects, SERVICES[0])[f"{SERVICES[0].env_prefix}KAFKA_BOOTSTRAP_SERVERS"]
    )
    job = k8s_objects[("Job", "kafka-topics")]
    pod, container = _pod(job), _container(job)
    assert pod["restartPolicy"] == "Never"
    assert container["envFrom"] == [{"configMapRef": {"name": "kafka-topics"}}]
    assert "$ACADEMY_TOPICS" in container["args"][0]
    assert {e["name"]: e.get("value") for e in container["env"]}["LOG_DIR"].startswith("/tmp/")
    assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["automountServiceAccountToken"] is False
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])


def _consumers(spec: ServiceSpec) -> list[Any]:
    """The service's consumers, as its factory wires them (nothing connects)."""
    package = spec.settings.__module__.rsplit(".", 1)[0]
    create = importlib.import_module(f"{package}.app").create
    _, runtime = create(spec.settings(environment="test"))
    consumers: list[Any] = runtime.consumers
    return consumers


@by_service
def test_hpa_scales_on_cpu_and_on_consumer_lag_where_the_service_consumes(
    spec: ServiceSpec, k8s_objects: Objects
) -> None:
    metrics = k8s_objects[("HorizontalPodAutoscaler", spec.name)]["spec"]["metrics"]
    assert {"type": "Resource", "resource": {"name": "cpu", "target": ANY}} in metrics
    external = [m["external"] for m in metrics if m["type"] == "External"]
    if not _consumers(spec):
        assert not external, f"{spec.name} consumes nothing: no lag to scale on"
        return
    (lag,) = external
    assert lag["metric"] == {
        "name": "academy_consumer_lag",
        "selector": {"matchLabels": {"job": spec.name}},  # the ServiceMonitor's job label
    }
    assert lag["target"]["type"] == "AverageValue"
    assert int(lag["target"]["averageValue"]) > 0


def test_prometheus_adapter_serves_the_lag_metric_the_hpas_use(k8s_objects: Objects) -> None:
    values = yaml.safe_load((DEPLOY_DIR / "prometheus-adapter" / "values.yaml").read_text())
    rules = {rule["name"]["as"]: rule for rule in values["rules"]["external"]}
    used = {
        m["external"]["metric"]["name"]
        for (kind, _), hpa in k8s_objects.items()
        if kind == "HorizontalPodAutoscaler"
        for m in hpa["spec"]["metrics"]
        if m["type"] == "External"
    }
    assert used == {"academy_consumer_lag"}
    rule = rules["academy_consumer_lag"]
    assert rule["seriesQuery"].startswith("academy_consumer_lag{")
    assert rule["resources"]["overrides"]["namespace"] == {"resource": "namespace"}
    # Every replica reports its group's whole lag per handler: de-duplicate, then sum per job.
    assert rule["metricsQuery"] == (
        "sum by (job) (max by (job, handler) (<<.Series>>{<<.LabelMatchers>>}))"
    )
    registry = CollectorRegistry()  # the series the services export (job: scrape label)
    RuntimeMetrics(registry, build_info("catalogue")).consumer_lag.labels(handler="h").set(7)
    assert registry.get_sample_value("academy_consumer_lag", {"handler": "h"}) == 7


@by_service
def test_consumers_never_outnumber_partitions(spec: ServiceSpec, k8s_objects: Objects) -> None:
    partitions = int(_config(k8s_objects, spec)[f"{spec.env_prefix}KAFKA_TOPIC_PARTITIONS"])
    hpa = k8s_objects[("HorizontalPodAutoscaler", spec.name)]["spec"]
    assert hpa["maxReplicas"] <= partitions, (
        f"{spec.name}: replicas beyond {partitions} partitions would sit idle in the group"
    )


def test_kustomization_pins_every_image(k8s_objects: Objects) -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    images = {image["name"] for image in kustomization["images"]}
    used = {
        _container(obj)["image"].split(":")[0]
        for (kind, _), obj in k8s_objects.items()
        if kind in {"Deployment", "Job"}
    }
    assert used == images
